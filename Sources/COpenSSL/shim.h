#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

// OpenSSL spells these as macros, which Swift cannot call.
static inline long redis_infra_ssl_set_sni(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
static inline int redis_infra_ssl_want_read(void) { return SSL_ERROR_WANT_READ; }
static inline int redis_infra_ssl_want_write(void) { return SSL_ERROR_WANT_WRITE; }
static inline int redis_infra_ssl_zero_return(void) { return SSL_ERROR_ZERO_RETURN; }
static inline int redis_infra_ssl_error_ssl(void) { return SSL_ERROR_SSL; }
static inline int redis_infra_ssl_error_syscall(void) { return SSL_ERROR_SYSCALL; }
static inline long redis_infra_ctx_min_tls12(SSL_CTX *ctx) {
    return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}
