// OpenSSL's libcrypto, for SHA-256, SM3 and HMAC, and SM2 signatures over SM3 (PEM keys); later SM4.
#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#endif
