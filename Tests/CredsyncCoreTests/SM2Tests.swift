import CredsyncCore
import Testing

/// SM2 signatures through libcrypto, with the signer id pinned, and the base64 they are written in.
@Suite struct SM2Tests {
    /// A public key and two signatures of `message` that `openssl pkeyutl -sign -rawin -digest sm3`
    /// made with its private key: one with `-pkeyopt distid:1234567812345678`, one with OpenSSL 3.0's default.
    static let publicPEM = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEZZw8XP76lMimBjrFzNiQiZHmhXKC
        HouKvOD0FkVnsE4H0KpTOJccgkerUs9CDj/QnDmBUggBQL83DJ27oaA1+g==
        -----END PUBLIC KEY-----

        """
    static let message = Array("credsync manifest".utf8)
    static let pinned =
        "MEQCIAvcewOvi9L1uqx5X6CtCYENdf8k6pL4VNnkQixqtXU6AiAOLpj2FQpslyYQt6dsv1OuVTs3h0uSFS7MCrUqaCBE4Q=="
    static let openSSLDefault =
        "MEYCIQCu5jwYbsyQgt3GnWZ51JgdtqsjU6cedVEPebiMfKw4SAIhAPEOkjrGdGEARwhjvBwnyvTZJiysQDTwmjlOUx5aZCmn"

    /// A P-256 key: EC, but not SM2.
    static let p256PEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdjIbOGFAsMGdIHvC
        JDAd+k4NanSL0hjCL8p+zrtFDKmhRANCAAR9VeZ2muya0ArO77TB841/hrC0uBh1
        7rDWKaTweJPD0AhVnvpblS9L74WjPl7y4L8YlsggiqLmJ8bfzhuA/YIM
        -----END PRIVATE KEY-----

        """

    @Test func aSignatureUnderThePinnedSignerIDVerifiesAndOneUnderOpenSSLsDefaultDoesNot() throws {
        let key = try SM2Key(publicPEM: Array(Self.publicPEM.utf8))
        #expect(!key.isPrivate)
        let pinned = try #require(Base64.decode(Self.pinned))
        #expect(key.verify(pinned, of: Self.message))
        #expect(!key.verify(pinned, of: Self.message + [0x20]))
        let other = try #require(Base64.decode(Self.openSSLDefault))
        #expect(!key.verify(other, of: Self.message))
    }

    @Test func aKeyThatIsNotSM2IsRefused() {
        #expect(throws: SM2Error.self) { try SM2Key(privatePEM: Array(Self.p256PEM.utf8)) }
        #expect(throws: SM2Error.self) { try SM2Key(publicPEM: Array("not a key".utf8)) }
        #expect(throws: SM2Error.self) { try SM2Key(privatePEM: Array(Self.publicPEM.utf8)) }
    }

    @Test func base64RoundTripsEveryLengthAndRefusesWhatIsNotBase64() {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw==")
        for bad in ["abc", "ab=c", "a===", "ab!d", "=abc"] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }
}
