import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// TLS over a ``SocketStream`` with OpenSSL: the peer is verified (CA, expiry, host name or
/// IP) unless told otherwise, and every handshake or certificate failure says what failed.
final class TLSStream: ByteStream {
    private let socket: SocketStream
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    private init(socket: SocketStream, context: OpaquePointer, ssl: OpaquePointer) {
        self.socket = socket
        self.context = context
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    func close() {
        SSL_shutdown(ssl)
        socket.close()
    }

    static func connect(over socket: SocketStream, host: String, options: TLSOptions, deadline: ContinuousClock.Instant) throws(RedisError) -> TLSStream {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw .tls(.other("cannot create a TLS context: \(lastError())")) }
        redis_infra_ctx_min_tls12(context)
        if options.verifyPeer {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            let loaded = options.caFile != nil || options.caDirectory != nil
                ? SSL_CTX_load_verify_locations(context, options.caFile, options.caDirectory)
                : SSL_CTX_set_default_verify_paths(context)
            guard loaded == 1 else {
                SSL_CTX_free(context)
                throw .tls(.other("cannot load the CA certificates (\(options.caFile ?? options.caDirectory ?? "system default")): \(lastError())"))
            }
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
        if let certificate = options.certificateFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1,
                  SSL_CTX_use_PrivateKey_file(context, options.keyFile ?? certificate, SSL_FILETYPE_PEM) == 1,
                  SSL_CTX_check_private_key(context) == 1
            else {
                SSL_CTX_free(context)
                throw .tls(.other("cannot use the client certificate '\(certificate)' and its key: \(lastError())"))
            }
        }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw .tls(.other("cannot create a TLS session: \(lastError())"))
        }
        let stream = TLSStream(socket: socket, context: context, ssl: ssl)
        SSL_set_fd(ssl, socket.fd)
        let name = options.serverName ?? host
        if isIPAddress(name) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name)
        } else {
            redis_infra_ssl_set_sni(ssl, name)
            SSL_set1_host(ssl, name)
        }
        try stream.retrying(deadline: deadline) { SSL_connect(ssl) }
        return stream
    }

    func write(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant) throws(RedisError) {
        var offset = 0
        while offset < bytes.count {
            let chunk = Int32(clamping: bytes.count - offset)
            do {
                offset += Int(try retrying(deadline: deadline) { SSL_write(ssl, bytes.baseAddress! + offset, chunk) })
            } catch .connectionClosed(let message) {
                // In TLS 1.3 a server that refuses our certificate (or its absence) says so in
                // an alert after the handshake and closes; read the alert to report that.
                var scratch = [UInt8](repeating: 0, count: 256)
                ERR_clear_error()
                if SSL_read(ssl, &scratch, Int32(scratch.count)) <= 0, ERR_peek_error() != 0 { throw .tls(failure()) }
                throw .connectionClosed(message)
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant) throws(RedisError) -> Int {
        Int(try retrying(deadline: deadline) { SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count)) })
    }

    /// Runs an OpenSSL call until it succeeds, waiting on the socket as OpenSSL asks.
    @discardableResult
    private func retrying(deadline: ContinuousClock.Instant, _ call: () -> Int32) throws(RedisError) -> Int32 {
        while true {
            ERR_clear_error()
            let result = call()
            if result > 0 { return result }
            let code = SSL_get_error(ssl, result)
            if code == redis_infra_ssl_want_read() {
                try socket.wait(for: Int16(POLLIN), deadline: deadline, timedOutMessage: "Resource temporarily unavailable")
            } else if code == redis_infra_ssl_want_write() {
                try socket.wait(for: Int16(POLLOUT), deadline: deadline, timedOutMessage: "Resource temporarily unavailable")
            } else if code == redis_infra_ssl_zero_return() || (code == redis_infra_ssl_error_syscall() && ERR_peek_error() == 0) {
                throw .connectionClosed("Server closed the connection")
            } else {
                throw .tls(failure())
            }
        }
    }

    /// What went wrong, in the terms of the certificate check when that is what failed.
    private func failure() -> TLSFailure {
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verify))
            switch Int32(verify) {
            case X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_NOT_YET_VALID: return .expired(reason)
            case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH: return .nameMismatch(reason)
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
                 X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
                 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_CERT_SIGNATURE_FAILURE:
                return .unknownCA(reason)
            default: return .other(reason)
            }
        }
        let message = Self.lastError()
        if message.contains("certificate required") { return .clientCertificateRequired(message) }
        return .other(message)
    }

    private static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return String(cString: strerror(errno)) }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(cString: buffer)
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
