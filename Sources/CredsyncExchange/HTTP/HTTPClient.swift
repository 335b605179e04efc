import CredsyncCore
import Foundation

/// An HTTP client on libcurl. Requests run on the client's own threads, each with its own easy
/// handle and so its own kept-alive connection, never on Swift's cooperative pool.
public final class HTTPClient: Sendable {
    public let options: HTTPClientOptions
    private let queue: JobQueue

    public init(options: HTTPClientOptions) {
        self.options = options
        self.queue = JobQueue()
        for index in 0..<max(1, options.connections) {
            let queue = self.queue
            let thread = Thread {
                guard let easy = CurlEasy() else {
                    queue.failAll("libcurl could not create a handle")
                    return
                }
                while let job = queue.next() {
                    job.complete(easy.perform(job.request, options: options))
                }
            }
            thread.name = "credsync-http-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit { queue.close() }

    /// Sends `request` and waits for the answer (or the transport's failure) without blocking
    /// the caller's thread.
    public func send(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportError> {
        await withCheckedContinuation { continuation in
            queue.add(Job(request: request, complete: { continuation.resume(returning: $0) }))
        }
    }

    /// Sends `request` from a thread that may block (tools, tests).
    public func sendBlocking(_ request: HTTPRequest) -> Result<HTTPResponse, TransportError> {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        queue.add(Job(request: request, complete: { result in
            box.set(result)
            done.signal()
        }))
        done.wait()
        return box.get() ?? .failure(TransportError(.other, url: request.url, detail: "no answer"))
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<HTTPResponse, TransportError>?
    func set(_ value: Result<HTTPResponse, TransportError>) { lock.withLock { result = value } }
    func get() -> Result<HTTPResponse, TransportError>? { lock.withLock { result } }
}

struct Job: Sendable {
    let request: HTTPRequest
    let complete: @Sendable (Result<HTTPResponse, TransportError>) -> Void
}

/// The jobs waiting for a thread. Guarded by its condition's lock.
final class JobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var isClosed = false

    func add(_ job: Job) {
        condition.lock()
        if isClosed {
            condition.unlock()
            job.complete(.failure(TransportError(.other, url: job.request.url, detail: "the client was shut down")))
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// The next job, waiting for one; nil once closed and drained.
    func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count && !isClosed { condition.wait() }
        guard head < jobs.count else { return nil }
        let job = jobs[head]
        head += 1
        if head > 1024 && head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    func close() {
        condition.lock()
        isClosed = true
        condition.broadcast()
        condition.unlock()
    }

    func failAll(_ message: String) {
        condition.lock()
        let pending = jobs[head...]
        jobs = []
        head = 0
        condition.unlock()
        for job in pending { job.complete(.failure(TransportError(.other, url: job.request.url, detail: message))) }
    }
}
