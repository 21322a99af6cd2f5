import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// TLS over a ``SocketStream`` with OpenSSL: the peer is verified (CA, expiry, host name or
/// IP) unless told otherwise, and every handshake or certificate failure says what failed.
final class TLSStream: ByteStream {
    private let socket: SocketStream
    private let openssl: OpenSSLLibrary
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    private init(socket: SocketStream, openssl: OpenSSLLibrary, context: OpaquePointer, ssl: OpaquePointer) {
        self.socket = socket
        self.openssl = openssl
        self.context = context
        self.ssl = ssl
    }

    deinit {
        openssl.free(ssl)
        openssl.contextFree(context)
    }

    func close() {
        _ = openssl.shutdown(ssl)
        socket.close()
    }

    static func connect(over socket: SocketStream, host: String, options: TLSOptions, deadline: ContinuousClock.Instant) throws(RedisError) -> TLSStream {
        let openssl = try OpenSSLLibrary.shared.get()
        guard let context = openssl.contextNew(openssl.clientMethod()) else { throw .tls(.other("cannot create a TLS context: \(lastError(openssl))")) }
        _ = openssl.contextControl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(TLS1_2_VERSION), nil)
        if options.verifyPeer {
            openssl.contextSetVerify(context, SSL_VERIFY_PEER, nil)
            let loaded = options.caFile != nil || options.caDirectory != nil
                ? openssl.contextLoadVerifyLocations(context, options.caFile, options.caDirectory)
                : openssl.contextSetDefaultVerifyPaths(context)
            guard loaded == 1 else {
                openssl.contextFree(context)
                throw .tls(.other("cannot load the CA certificates (\(options.caFile ?? options.caDirectory ?? "system default")): \(lastError(openssl))"))
            }
        } else {
            openssl.contextSetVerify(context, SSL_VERIFY_NONE, nil)
        }
        if let certificate = options.certificateFile {
            guard openssl.contextUseCertificateChainFile(context, certificate) == 1,
                  openssl.contextUsePrivateKeyFile(context, options.keyFile ?? certificate, SSL_FILETYPE_PEM) == 1,
                  openssl.contextCheckPrivateKey(context) == 1
            else {
                openssl.contextFree(context)
                throw .tls(.other("cannot use the client certificate '\(certificate)' and its key: \(lastError(openssl))"))
            }
        }
        guard let ssl = openssl.new(context) else {
            openssl.contextFree(context)
            throw .tls(.other("cannot create a TLS session: \(lastError(openssl))"))
        }
        let stream = TLSStream(socket: socket, openssl: openssl, context: context, ssl: ssl)
        _ = openssl.setFD(ssl, socket.fd)
        let name = options.serverName ?? host
        if isIPAddress(name) {
            _ = openssl.setExpectedIP(openssl.verifyParameters(ssl), name)
        } else {
            name.withCString { text in
                _ = openssl.control(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name), UnsafeMutableRawPointer(mutating: text))
            }
            _ = openssl.setHost(ssl, name)
        }
        do {
            try stream.retrying(deadline: deadline) { openssl.connect(ssl) }
        } catch .timedOut {
            // A plaintext Redis reads the ClientHello as a partial command and waits for more:
            // the handshake then simply never ends.
            throw .timedOut("no TLS handshake from \(host): is the server speaking TLS on this port? (rediss:// needs TLS, redis:// plain)")
        }
        return stream
    }

    func write(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant) throws(RedisError) {
        var offset = 0
        while offset < bytes.count {
            let chunk = Int32(clamping: bytes.count - offset)
            do {
                offset += Int(try retrying(deadline: deadline) { openssl.write(ssl, bytes.baseAddress! + offset, chunk) })
            } catch .connectionClosed(let message) {
                // In TLS 1.3 a server that refuses our certificate (or its absence) says so in
                // an alert after the handshake and closes; read the alert to report that.
                var scratch = [UInt8](repeating: 0, count: 256)
                openssl.errorClear()
                if openssl.read(ssl, &scratch, Int32(scratch.count)) <= 0, openssl.errorPeek() != 0 { throw .tls(failure()) }
                throw .connectionClosed(message)
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant) throws(RedisError) -> Int {
        Int(try retrying(deadline: deadline) { openssl.read(ssl, buffer.baseAddress, Int32(clamping: buffer.count)) })
    }

    /// Runs an OpenSSL call until it succeeds, waiting on the socket as OpenSSL asks.
    @discardableResult
    private func retrying(deadline: ContinuousClock.Instant, _ call: () -> Int32) throws(RedisError) -> Int32 {
        while true {
            openssl.errorClear()
            let result = call()
            if result > 0 { return result }
            let code = openssl.getError(ssl, result)
            if code == SSL_ERROR_WANT_READ {
                try socket.wait(for: Int16(POLLIN), deadline: deadline, timedOutMessage: "Resource temporarily unavailable")
            } else if code == SSL_ERROR_WANT_WRITE {
                try socket.wait(for: Int16(POLLOUT), deadline: deadline, timedOutMessage: "Resource temporarily unavailable")
            } else if code == SSL_ERROR_ZERO_RETURN || (code == SSL_ERROR_SYSCALL && openssl.errorPeek() == 0) {
                throw .connectionClosed("Server closed the connection")
            } else {
                throw .tls(failure())
            }
        }
    }

    /// What went wrong, in the terms of the certificate check when that is what failed.
    private func failure() -> TLSFailure {
        let verify = openssl.verifyResult(ssl)
        if verify != X509_V_OK {
            let reason = openssl.verifyErrorString(verify).map { String(cString: $0) } ?? "certificate verification failed (\(verify))"
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
        let message = Self.lastError(openssl)
        if message.contains("certificate required") { return .clientCertificateRequired(message) }
        return .other(message)
    }

    private static func lastError(_ openssl: OpenSSLLibrary) -> String {
        let code = openssl.errorGet()
        guard code != 0 else { return String(cString: strerror(errno)) }
        var buffer = [CChar](repeating: 0, count: 256)
        openssl.errorString(code, &buffer, buffer.count)
        return String(cString: buffer)
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
