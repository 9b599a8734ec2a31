import Foundation
import GPConnectContract
import GPConnectMESH
import Testing

@Suite("MESH client")
struct MESHClientTests {
    @Test("The NHSMESH token is HMAC-SHA256 of mailbox:nonce:count:password:timestamp under the shared key")
    func token() {
        let token = MESHAuthorization.token(
            mailbox: MESHMailbox(id: "MAILBOX01", password: "secret"), sharedKey: "TestKey",
            now: Date(timeIntervalSince1970: 1_796_409_000), nonce: "nonce-1")
        // Python: hmac.new(b"TestKey", b"MAILBOX01:nonce-1:1:secret:202612041830", sha256).hexdigest()
        #expect(token == "NHSMESH MAILBOX01:nonce-1:1:202612041830:5727b5f6152c117ee0a23b673a76f71bfa3c1dcf6f0cf9cc4b920f55bddc2586")
        let again = MESHAuthorization.token(mailbox: MESHMailbox(id: "MAILBOX01", password: "secret"), sharedKey: "TestKey")
        let other = MESHAuthorization.token(mailbox: MESHMailbox(id: "MAILBOX01", password: "secret"), sharedKey: "TestKey")
        #expect(again != other, "a fresh nonce every request")
    }
}

extension MESHSuites {
    /// The client against NHS England's sandbox (real HTTP, real HMAC check).
    @Suite("MESH client against mesh-sandbox")
    struct MESHSandboxTests {
        @Test("A wrong password is refused with 403")
        func wrongPassword() async throws {
            try await TestMESH.withClient { client in
                await #expect(throws: MESHError.status(403, operation: "handshake")) {
                    try await client.handshake(MESHMailbox(id: TestMESH.practice.id, password: "wrong"))
                }
                try await client.handshake(TestMESH.practice)
            }
        }

        @Test("A chunked, gzipped message arrives whole, is tracked, and leaves the inbox once acknowledged")
        func chunkedGzip() async throws {
            try await TestMESH.withClient(chunkSize: 4096) { client in
                try await TestMESH.drain(client, TestMESH.practice)
                var content: [UInt8] = []
                var generator = SystemRandomNumberGenerator()
                for _ in 0..<40_000 { content.append(UInt8.random(in: 0...255, using: &generator)) }
                for compress in [false, true] {
                    let id = try await client.send(
                        TestMESH.sender,
                        MESHOutgoing(
                            to: TestMESH.practice.id, workflowID: ITK3.reportWorkflow, localID: "Y01234", content: content,
                            compress: compress))
                    let tracked = try await client.track(TestMESH.sender, messageID: id)
                    #expect(tracked.messageID.uppercased() == id.uppercased())
                    #expect(try await client.inbox(TestMESH.practice).contains(id))
                    let message = try await client.download(TestMESH.practice, messageID: id)
                    #expect(message.chunks > 1, "sent in 4 KiB chunks")
                    #expect(message.content == content)
                    #expect(message.from == TestMESH.sender.id)
                    #expect(message.localID == "Y01234")
                    #expect(message.workflowID == ITK3.reportWorkflow)
                    try await client.acknowledge(TestMESH.practice, messageID: id)
                    #expect(try await !client.inbox(TestMESH.practice).contains(id))
                    #expect(try await client.track(TestMESH.sender, messageID: id).status?.lowercased() == "acknowledged")
                }
            }
        }

        @Test("The inbox is read page by page (links.next) and a size limit stops a download")
        func pagingAndLimit() async throws {
            try await TestMESH.withClient { client in
                try await TestMESH.drain(client, TestMESH.practice)
                var sent: [String] = []
                for number in 0..<12 { sent.append(try await TestMESH.send(client, Array("message \(number)".utf8))) }
                let page = try await client.inboxPage(TestMESH.practice, maxResults: 10)
                #expect(page.ids.count == 10)
                #expect(page.next != nil)
                #expect(Set(try await client.inbox(TestMESH.practice, maxResults: 10)) == Set(sent))
                await #expect(throws: MESHError.tooLarge(limit: 5)) {
                    try await client.download(TestMESH.practice, messageID: sent[0], maxBytes: 5)
                }
                try await TestMESH.drain(client, TestMESH.practice)
            }
        }
    }
}
