/// How a `rediss://` connection verifies the server and proves itself. Verification is on by
/// default; turning it off must be said (`ssl_cert_reqs=none`) and is logged as a warning.
public struct TLSOptions: Sendable, Equatable {
    /// PEM file of CA certificates to trust; with neither this nor `caDirectory`, the system's.
    public var caFile: String?
    public var caDirectory: String?
    /// Client certificate (chain) and key, for servers with `tls-auth-clients yes`.
    public var certificateFile: String?
    public var keyFile: String?
    /// The name to send (SNI) and to check the certificate against; defaults to the URL's host.
    public var serverName: String?
    public var verifyPeer: Bool

    public init(
        caFile: String? = nil, caDirectory: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
        serverName: String? = nil, verifyPeer: Bool = true
    ) {
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.verifyPeer = verifyPeer
    }
}

/// Why a TLS handshake or session failed.
public enum TLSFailure: Sendable, Equatable, CustomStringConvertible {
    /// The server's certificate is not signed by a trusted CA.
    case unknownCA(String)
    /// The certificate does not name the host (or IP) connected to.
    case nameMismatch(String)
    /// The certificate has expired or is not valid yet.
    case expired(String)
    /// The server wants a client certificate (`tls-auth-clients yes`) and none was given.
    case clientCertificateRequired(String)
    case other(String)

    public var description: String {
        switch self {
        case .unknownCA(let reason): "server certificate not trusted, unknown CA (\(reason))"
        case .nameMismatch(let reason): "server certificate does not match the host name (\(reason))"
        case .expired(let reason): "server certificate expired or not yet valid (\(reason))"
        case .clientCertificateRequired(let reason): "the server requires a client certificate (\(reason))"
        case .other(let reason): reason
        }
    }
}
