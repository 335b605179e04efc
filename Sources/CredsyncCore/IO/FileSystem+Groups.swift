#if canImport(Glibc)
    public import Glibc
#endif

extension FileSystem {
    /// The id of the group named `name` (or given as a number), if this machine has it.
    public static func groupID(_ name: String) -> gid_t? {
        if let number = UInt32(name) { return number }
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let status = getgrnam_r(name, &group, &buffer, buffer.count, &result)
        return status == 0 && result != nil ? group.gr_gid : nil
    }

    /// Gives `directory` to `group` with group read and search, when this process owns it; a
    /// directory someone else owns is left as it is (its owner decides who reads it).
    public static func shareDirectory(_ directory: String, group: gid_t) throws(FileError) {
        var info = stat()
        guard stat(directory, &info) == 0 else { throw FileError(operation: "stat", path: directory, errno: errno) }
        guard info.st_uid == geteuid() else { return }
        if info.st_gid != group, chown(directory, uid_t.max, group) != 0 {
            throw FileError(operation: "give group \(group) to", path: directory, errno: errno)
        }
        let mode = info.st_mode & 0o7777
        if mode & 0o050 != 0o050, chmod(directory, mode | 0o050) != 0 {
            throw FileError(operation: "let its group read", path: directory, errno: errno)
        }
    }
}
