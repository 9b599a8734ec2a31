import AsyncHTTPClient
public import FHIR
public import Foundation
public import GPConnectContract
import Logging
import NIOCore
import NIOHTTP1

/// Access Document: find the patient, search their documents, download a file.
extension GPConnectClient {
    /// D2: the patient on the documents service root.
    public func findDocumentsPatient(_ endpoint: ProviderEndpoint, nhsNumber: String) async throws(GPConnectClientError) -> [FHIRElement] {
        try Self.entries(
            try await send(
                .searchDocumentsPatient, to: endpoint, path: "Patient",
                query: [("identifier", IdentifierSystem.nhsNumber + "|" + nhsNumber)]),
            "Patient")
    }

    /// A documents search: the documents, and every resource of the Bundle (patient, authors, …).
    public struct DocumentList: Sendable {
        public var documents: [DocumentSummary]
        public var resources: [FHIRElement]
    }

    /// D3: the patient's documents (by the patient's logical id on the documents root).
    public func searchDocuments(_ endpoint: ProviderEndpoint, patientID: String, search: DocumentSearch = DocumentSearch())
        async throws(GPConnectClientError) -> DocumentList
    {
        let resources = try Self.entries(
            try await send(.searchDocuments, to: endpoint, path: "Patient/\(patientID)/DocumentReference", query: search.queryItems))
        let others = resources.filter { $0["resourceType"]?.string != "DocumentReference" }
        return DocumentList(
            documents: resources.filter { $0["resourceType"]?.string == "DocumentReference" }.map { DocumentSummary($0, bundle: others) },
            resources: resources)
    }

    /// A downloaded document.
    public struct DownloadedDocument: Sendable, Equatable {
        public var binaryID: String?
        public var contentType: String?
        public var size: Int
    }

    /// D4 (or D5 with `migrating`): downloads the Binary at `url` — a DocumentReference's
    /// `content.attachment.url` — into `file`, decoding as it arrives. `progress` is told the
    /// bytes received so far and the response's length when the provider sent one.
    ///
    /// - Parameter confidentiality: `conf/R` to migrate confidential documents.
    public func downloadDocument(
        _ endpoint: ProviderEndpoint, url: String, to file: URL, migrating: Bool = false, confidentiality: String? = nil,
        progress: @Sendable (_ received: Int, _ total: Int?) -> Void = { _, _ in }
    ) async throws(GPConnectClientError) -> DownloadedDocument {
        let interaction: Interaction = migrating ? .migrateBinary : .readBinary
        let root = endpoint.serviceRoot(.documents)
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw .invalidResponse("the document URL is not absolute") }
        let traceID = UUID().uuidString.lowercased()
        let request = spineRequest(
            interaction, endpoint: endpoint, url: url, audience: root, confidentiality: confidentiality, traceID: traceID)
        guard FileManager.default.createFile(atPath: file.path, contents: nil), let handle = try? FileHandle(forWritingTo: file) else {
            throw .invalidResponse("cannot write \(file.path)")
        }
        defer { try? handle.close() }
        do {
            // The deadline covers waiting for the answer to start; the body may take as long as it needs.
            let response = try await http.execute(
                request,
                timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
            let status = Int(response.status.code)
            let contentType = response.headers.first(name: "Content-Type") ?? ""
            let bodyFormat: FHIRFormat = contentType.contains("xml") ? .xml : .json
            guard (200..<300).contains(status) else {
                let body = try await response.body.collect(upTo: 1 << 20)
                let outcome = try? bodyFormat.decode(Array(body.readableBytesView))
                let issue = outcome?["issue"]?.items.first
                throw GPConnectClientError.refused(
                    status: status, code: issue?["details"]?["coding"]?.items.first?["code"]?.string,
                    diagnostics: issue?["diagnostics"]?.string)
            }
            let total = response.headers.first(name: "Content-Length").flatMap { Int($0) }
            var decoder = BinaryStreamDecoder(format: bodyFormat)
            var received = 0
            for try await buffer in response.body {
                received += buffer.readableBytes
                try decoder.feed(Array(buffer.readableBytesView)) { bytes in try handle.write(contentsOf: bytes) }
                progress(received, total)
            }
            let binary = try decoder.finish()
            logger.debug(
                "downloaded",
                metadata: [
                    "trace": .string(traceID), "interaction": .string(interaction.rawValue),
                    "bytes": .stringConvertible(decoder.decodedBytes),
                ])
            return DownloadedDocument(
                binaryID: binary["id"]?.string, contentType: binary["contentType"]?.string, size: decoder.decodedBytes)
        } catch let error as GPConnectClientError {
            try? FileManager.default.removeItem(at: file)
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            try? FileManager.default.removeItem(at: file)
            throw .timedOut
        } catch is BinaryStreamDecoder.Failure {
            try? FileManager.default.removeItem(at: file)
            throw .invalidResponse("the body is not a FHIR Binary with base64 content")
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw .unreachable(String(describing: type(of: error)))
        }
    }
}
