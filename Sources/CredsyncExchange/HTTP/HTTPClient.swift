import CredsyncCore
import Foundation
public import CredsyncProtocol
import _CredsyncEngine

/// An HTTP client on libcurl. Requests run on the client's own threads, each with its own easy
/// handle and so its own kept-alive connection, never on Swift's cooperative pool.
public final class HTTPClient: Sendable {
    public let options: HTTPClientOptions
    private let queue: BoundedQueue<Job>
    private let threads = Thread.Group()

    public init(options: HTTPClientOptions) {
        self.options = options
        self.queue = BoundedQueue(capacity: .max)
        // libcurl's global state first, on this thread, before any of ours can touch it.
        _ = CurlGlobal.initialized
        for index in 0..<max(1, options.connections) {
            let queue = self.queue
            let threads = self.threads
            threads.enter()
            let thread = Thread {
                defer { threads.leave() }
                guard let easy = CurlEasy() else {
                    while let job = queue.take() {
                        job.complete(
                            .failure(
                                TransportError(
                                    .other, url: job.request.url, detail: "libcurl could not create a handle")))
                    }
                    return
                }
                while let job = queue.take() {
                    job.complete(easy.perform(job.request, options: options))
                }
            }
            thread.name = "credsync-http-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Stops the threads and waits for them: a process exits only once none is inside libcurl.
    /// Every request has been answered by then (a sender holds the client until its answer).
    deinit {
        queue.close()
        threads.wait()
    }

    /// Sends `request` and waits for the answer (or the transport's failure) without blocking
    /// the caller's thread.
    public func send(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportError> {
        await withCheckedContinuation { continuation in
            queue.put(Job(request: request, complete: { continuation.resume(returning: $0) }))
        }
    }

    /// Sends `request` from a thread that may block (tools, tests).
    public func sendBlocking(_ request: HTTPRequest) -> Result<HTTPResponse, TransportError> {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        queue.put(
            Job(
                request: request,
                complete: { result in
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
