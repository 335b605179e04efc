/// Reading decimal numbers out of byte buffers without building strings.
public enum ASCIIDecimal {
    /// The non-negative integer written in `buffer[from..<to]`, or nil when it is empty, holds
    /// anything but digits or does not fit an Int.
    @inline(__always)
    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        guard from < to else { return nil }
        var value = 0
        for k in from..<to {
            guard (0x30...0x39).contains(buffer[k]) else { return nil }
            let (tens, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = tens.addingReportingOverflow(Int(buffer[k] - 0x30))
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }
}
