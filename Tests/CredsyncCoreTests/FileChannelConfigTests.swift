import Foundation
import Testing

@testable import CredsyncCore

/// `channel` instead of `baseURL`: the 前置机 a platform is reached through, checked before any run.
@Suite struct FileChannelConfigTests {
    static func platform(_ channel: String, baseURL: Bool = false) -> String {
        #"{"id": "ipp", "appId": "a", "secretEnv": "SECRET", "#
            + (baseURL ? #""baseURL": "https://ipp.example/x", "# : "") + #""channel": "# + channel + "}"
    }

    func channel(
        key: String = "user_key", knownHosts: String = "known_hosts",
        url: String = "sftp://fep.example:2222/exchange/ipp/"
    ) -> String {
        #"{"type": "sftp", "url": "\#(url)", "user": "credsync", "privateKey": "\#(key)", "#
            + #""knownHosts": "\#(knownHosts)"}"#
    }

    @Test func channelIsReadWithHostPortRootAndFiles() throws {
        let fixture = try ConfigFixture()
        _ = try fixture.write("user_key", "key", mode: 0o600)
        _ = try fixture.write("known_hosts", "[fep.example]:2222 ssh-ed25519 AAAA\n")
        let report = try fixture.load(ConfigFixture.text(platform: Self.platform(channel())))
        #expect(report.problems.isEmpty, "\(report.problems)")
        let channel = try #require(report.config?.platforms.first?.channel)
        #expect(channel.host == "fep.example" && channel.port == 2222 && channel.root == "/exchange/ipp")
        #expect(channel.user == "credsync" && channel.privateKey == fixture.directory + "/user_key")
        #expect(channel.knownHosts == fixture.directory + "/known_hosts")
    }

    @Test func channelIsRefusedWithBaseURLAWideKeyOrNoPinnedHostKey() throws {
        let fixture = try ConfigFixture()
        _ = try fixture.write("user_key", "key", mode: 0o600)
        _ = try fixture.write("open_key", "key", mode: 0o644)
        _ = try fixture.write("known_hosts", "[fep.example]:2222 ssh-ed25519 AAAA\n")
        _ = try fixture.write("empty_hosts", "# nothing pinned\n")
        func problems(_ platform: String) throws -> [String] {
            try fixture.load(ConfigFixture.text(platform: platform)).problems.map(\.description)
        }
        #expect(
            try problems(Self.platform(channel(), baseURL: true)).contains {
                $0.contains("platforms[0].channel: give baseURL or channel, not both")
            })
        #expect(
            try problems(Self.platform(channel(key: "open_key"))).contains {
                $0.contains("platforms[0].channel.privateKey: \"open_key\" is readable by group or others (mode 644)")
            })
        #expect(
            try problems(Self.platform(channel(knownHosts: "missing_hosts"))).contains {
                $0.contains("platforms[0].channel.knownHosts: \"missing_hosts\": no such file")
            })
        #expect(
            try problems(Self.platform(channel(knownHosts: "empty_hosts"))).contains {
                $0.contains("platforms[0].channel.knownHosts: \"empty_hosts\" holds no host key")
            })
        #expect(
            try problems(Self.platform(channel(url: "https://fep.example/x"))).contains {
                $0.contains("platforms[0].channel.url: \"https://fep.example/x\" is not an sftp URL")
            })
        #expect(
            try problems(
                Self.platform(
                    #"{"type": "sftp", "url": "sftp://fep.example/x", "user": "u", "privateKey": "user_key"}"#)
            ).contains {
                $0.contains("platforms[0].channel.knownHosts") && $0.contains("required")
            })
        // Without a channel, baseURL stays required.
        #expect(
            try problems(#"{"id": "ipp", "appId": "a", "secretEnv": "SECRET"}"#).contains {
                $0.contains("platforms[0].baseURL") && $0.contains("required")
            })
    }
}

@Suite struct FileChannelReceiptsConfigTests {
    @Test func receiptsOnTheFileChannelAndGsxtsFeedAddressAreAccepted() throws {
        let fixture = try ConfigFixture()
        _ = try fixture.write("user_key", "key", mode: 0o600)
        _ = try fixture.write("known_hosts", "[fep.example]:2222 ssh-ed25519 AAAA\n")
        let channel =
            #"{"type": "sftp", "url": "sftp://fep.example:2222/exchange/gsxt/", "user": "credsync", "#
            + #""privateKey": "user_key", "knownHosts": "known_hosts", "unansweredAfter": "6h"}"#
        let platform =
            #"{"id": "gsxt", "appId": "a", "secretEnv": "SECRET", "publication": "receipts", "#
            + #""baseURL": "https://gsxt.example/x", "channel": "# + channel + "}"
        let report = try fixture.load(ConfigFixture.text(platform: platform))
        #expect(report.problems.isEmpty, "\(report.problems)")
        let gsxt = try #require(report.config?.platforms.first)
        #expect(gsxt.publication == .receipts && gsxt.baseURL == "https://gsxt.example/x")
        #expect(gsxt.channel.map { Int($0.unansweredAfter.rounded()) } == 6 * 3600)
    }
}
