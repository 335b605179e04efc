import Foundation

/// A throwaway CA, a server certificate for `localhost` and 127.0.0.1, a client certificate,
/// and a second CA that signed none of them: made with the `openssl` command at test time.
public struct TLSMaterial: Sendable {
    public let caCertificate: String
    public let otherCACertificate: String
    public let serverCertificate: String
    public let serverKey: String
    public let clientCertificate: String
    public let clientKey: String

    public init(in directory: String) throws {
        func run(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw NSError(
                    domain: "openssl", code: Int(process.terminationStatus),
                    userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")) failed"])
            }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(
            ["req", "-x509"] + ec + [
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=credsync test CA",
            ])
        try run(
            ["req", "-x509"] + ec + [
                "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=someone else",
            ])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(
            toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        try run(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"])
        try run([
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
            "server.pem", "-days", "2", "-extfile", "server.ext",
        ])
        try run(["req"] + ec + ["-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=province-test"])
        try run([
            "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
            "client.pem", "-days", "2",
        ])
        caCertificate = directory + "/ca.pem"
        otherCACertificate = directory + "/other-ca.pem"
        serverCertificate = directory + "/server.pem"
        serverKey = directory + "/server.key"
        clientCertificate = directory + "/client.pem"
        clientKey = directory + "/client.key"
    }
}

/// Debian's nginx terminating TLS with client-certificate verification in front of the sandbox,
/// on 127.0.0.1 and 127.0.0.2 (whose address is not in the server certificate).
public final class NginxProcess: @unchecked Sendable {
    public let port: Int
    public let tls: TLSMaterial
    private let process: Process
    private let directory: TemporaryDirectory

    public init(upstreamPort: Int) throws {
        directory = try TemporaryDirectory("nginx")
        tls = try TLSMaterial(in: directory.path)
        // A port below Linux's ephemeral range (32768 up), where the tests' own connections are not;
        // another server may still hold one, so a port in use is tried again with another.
        var log = ""
        for _ in 0..<8 {
            let port = Int.random(in: 20_000...32_000)
            try? FileManager.default.removeItem(atPath: directory.path + "/error.log")
            let process = try Self.start(port: port, upstreamPort: upstreamPort, directory: directory, tls: tls)
            for _ in 0..<100 {
                if RawConnection(port: port) != nil {
                    self.port = port
                    self.process = process
                    return
                }
                if !process.isRunning { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            process.terminate()
            process.waitUntilExit()
            log = (try? String(contentsOfFile: directory.path + "/error.log", encoding: .utf8)) ?? ""
            guard log.contains("Address already in use") else { break }
        }
        throw NSError(domain: "nginx", code: 1, userInfo: [NSLocalizedDescriptionKey: "nginx did not start: \(log)"])
    }

    private static func start(
        port: Int, upstreamPort: Int, directory: TemporaryDirectory, tls: TLSMaterial
    ) throws -> Process {
        let config = """
            worker_processes 1;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log warn;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(directory.path)/body;
                proxy_temp_path \(directory.path)/proxy;
                fastcgi_temp_path \(directory.path)/fastcgi;
                uwsgi_temp_path \(directory.path)/uwsgi;
                scgi_temp_path \(directory.path)/scgi;
                client_max_body_size 8m;
                server {
                    listen 127.0.0.1:\(port) ssl;
                    listen 127.0.0.2:\(port) ssl;
                    ssl_certificate \(tls.serverCertificate);
                    ssl_certificate_key \(tls.serverKey);
                    ssl_client_certificate \(tls.caCertificate);
                    ssl_verify_client on;
                    location / {
                        proxy_pass http://127.0.0.1:\(upstreamPort);
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                }
            }
            """
        try directory.write("nginx.conf", config)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = [
            "-p", directory.path, "-c", directory.path + "/nginx.conf", "-g",
            "daemon off;" + (getuid() == 0 ? " user root;" : ""),
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    public func baseURL(host: String = "localhost", _ platform: String = "credit") -> String {
        "https://\(host):\(port)/\(platform)/exchange/v1"
    }
}
