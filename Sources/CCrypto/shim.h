// OpenSSL's libcrypto, for SHA-256 and HMAC (and later SM3/SM4).
#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#endif
