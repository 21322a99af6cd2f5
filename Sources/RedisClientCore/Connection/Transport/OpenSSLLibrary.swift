import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// The OpenSSL functions TLS needs, loaded with `dlopen` at the first `rediss://` connection.
/// Linking libssl and libcrypto outright cost every process that links the factory 1.8 MB of
/// resident memory and a millisecond at start, TLS or not (measured on the health check).
struct OpenSSLLibrary: @unchecked Sendable {
    typealias Pointer = OpaquePointer?
    typealias CString = UnsafePointer<CChar>?

    let clientMethod: @convention(c) () -> Pointer
    let contextNew: @convention(c) (Pointer) -> Pointer
    let contextFree: @convention(c) (Pointer) -> Void
    let contextControl: @convention(c) (Pointer, Int32, Int, UnsafeMutableRawPointer?) -> Int
    let contextSetVerify: @convention(c) (Pointer, Int32, UnsafeRawPointer?) -> Void
    let contextLoadVerifyLocations: @convention(c) (Pointer, CString, CString) -> Int32
    let contextSetDefaultVerifyPaths: @convention(c) (Pointer) -> Int32
    let contextUseCertificateChainFile: @convention(c) (Pointer, CString) -> Int32
    let contextUsePrivateKeyFile: @convention(c) (Pointer, CString, Int32) -> Int32
    let contextCheckPrivateKey: @convention(c) (Pointer) -> Int32
    let new: @convention(c) (Pointer) -> Pointer
    let free: @convention(c) (Pointer) -> Void
    let setFD: @convention(c) (Pointer, Int32) -> Int32
    let control: @convention(c) (Pointer, Int32, Int, UnsafeMutableRawPointer?) -> Int
    let setHost: @convention(c) (Pointer, CString) -> Int32
    let verifyParameters: @convention(c) (Pointer) -> Pointer
    let setExpectedIP: @convention(c) (Pointer, CString) -> Int32
    let connect: @convention(c) (Pointer) -> Int32
    let read: @convention(c) (Pointer, UnsafeMutableRawPointer?, Int32) -> Int32
    let write: @convention(c) (Pointer, UnsafeRawPointer?, Int32) -> Int32
    let shutdown: @convention(c) (Pointer) -> Int32
    let getError: @convention(c) (Pointer, Int32) -> Int32
    let verifyResult: @convention(c) (Pointer) -> Int
    let verifyErrorString: @convention(c) (Int) -> CString
    let errorGet: @convention(c) () -> UInt
    let errorPeek: @convention(c) () -> UInt
    let errorClear: @convention(c) () -> Void
    let errorString: @convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void

    static let shared: Result<OpenSSLLibrary, RedisError> = load()

    private static func load() -> Result<OpenSSLLibrary, RedisError> {
        // OpenSSL writes with send(2) without MSG_NOSIGNAL: a server that closes the connection
        // would kill the process with SIGPIPE. Ignore it unless the application chose a
        // handler of its own (Python, for one, starts with SIGPIPE ignored).
        var current = sigaction()
        if sigaction(SIGPIPE, nil, &current) == 0, current.__sigaction_handler.sa_handler == nil {
            signal(SIGPIPE, SIG_IGN)
        }
        guard let handle = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libssl.so", RTLD_NOW | RTLD_LOCAL) else {
            return .failure(.tls(.other("TLS needs OpenSSL 3 (libssl.so.3), which cannot be loaded: \(String(cString: dlerror()))")))
        }
        var missing: [String] = []
        func symbol<T>(_ name: String, as type: T.Type) -> T {
            guard let address = dlsym(handle, name) else {
                missing.append(name)
                return unsafeBitCast(dlsym(handle, "SSL_new"), to: type)
            }
            return unsafeBitCast(address, to: type)
        }
        let library = OpenSSLLibrary(
            clientMethod: symbol("TLS_client_method", as: (@convention(c) () -> Pointer).self),
            contextNew: symbol("SSL_CTX_new", as: (@convention(c) (Pointer) -> Pointer).self),
            contextFree: symbol("SSL_CTX_free", as: (@convention(c) (Pointer) -> Void).self),
            contextControl: symbol("SSL_CTX_ctrl", as: (@convention(c) (Pointer, Int32, Int, UnsafeMutableRawPointer?) -> Int).self),
            contextSetVerify: symbol("SSL_CTX_set_verify", as: (@convention(c) (Pointer, Int32, UnsafeRawPointer?) -> Void).self),
            contextLoadVerifyLocations: symbol("SSL_CTX_load_verify_locations", as: (@convention(c) (Pointer, CString, CString) -> Int32).self),
            contextSetDefaultVerifyPaths: symbol("SSL_CTX_set_default_verify_paths", as: (@convention(c) (Pointer) -> Int32).self),
            contextUseCertificateChainFile: symbol("SSL_CTX_use_certificate_chain_file", as: (@convention(c) (Pointer, CString) -> Int32).self),
            contextUsePrivateKeyFile: symbol("SSL_CTX_use_PrivateKey_file", as: (@convention(c) (Pointer, CString, Int32) -> Int32).self),
            contextCheckPrivateKey: symbol("SSL_CTX_check_private_key", as: (@convention(c) (Pointer) -> Int32).self),
            new: symbol("SSL_new", as: (@convention(c) (Pointer) -> Pointer).self),
            free: symbol("SSL_free", as: (@convention(c) (Pointer) -> Void).self),
            setFD: symbol("SSL_set_fd", as: (@convention(c) (Pointer, Int32) -> Int32).self),
            control: symbol("SSL_ctrl", as: (@convention(c) (Pointer, Int32, Int, UnsafeMutableRawPointer?) -> Int).self),
            setHost: symbol("SSL_set1_host", as: (@convention(c) (Pointer, CString) -> Int32).self),
            verifyParameters: symbol("SSL_get0_param", as: (@convention(c) (Pointer) -> Pointer).self),
            setExpectedIP: symbol("X509_VERIFY_PARAM_set1_ip_asc", as: (@convention(c) (Pointer, CString) -> Int32).self),
            connect: symbol("SSL_connect", as: (@convention(c) (Pointer) -> Int32).self),
            read: symbol("SSL_read", as: (@convention(c) (Pointer, UnsafeMutableRawPointer?, Int32) -> Int32).self),
            write: symbol("SSL_write", as: (@convention(c) (Pointer, UnsafeRawPointer?, Int32) -> Int32).self),
            shutdown: symbol("SSL_shutdown", as: (@convention(c) (Pointer) -> Int32).self),
            getError: symbol("SSL_get_error", as: (@convention(c) (Pointer, Int32) -> Int32).self),
            verifyResult: symbol("SSL_get_verify_result", as: (@convention(c) (Pointer) -> Int).self),
            verifyErrorString: symbol("X509_verify_cert_error_string", as: (@convention(c) (Int) -> CString).self),
            errorGet: symbol("ERR_get_error", as: (@convention(c) () -> UInt).self),
            errorPeek: symbol("ERR_peek_error", as: (@convention(c) () -> UInt).self),
            errorClear: symbol("ERR_clear_error", as: (@convention(c) () -> Void).self),
            errorString: symbol("ERR_error_string_n", as: (@convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void).self)
        )
        guard missing.isEmpty else {
            return .failure(.tls(.other("the loaded OpenSSL lacks \(missing.joined(separator: ", "))")))
        }
        return .success(library)
    }
}
