public import Foundation
public import GPConnect
public import GPConnectContract

/// Documents for load tests: many small letters for one patient, and single documents of a given
/// size, filed through the same use case practice staff use.
public enum SyntheticDocuments {
    /// Files `count` letters (alternately PDF and RTF, a year apart at most) for the patient.
    ///
    /// - Returns: the number filed.
    @discardableResult
    public static func seed(stores: Stores, practice: Practice, nhsNumber: NHSNumber, count: Int, now: Date = Date()) async throws -> Int {
        let documents = Documents(stores: stores)
        let kinds: [(Code?, String?, String)] = [
            (
                Code(system: "http://snomed.info/sct", code: "824331000000106", display: "Inpatient final discharge letter"), nil,
                "Discharge summary"
            ),
            (Code(system: "http://snomed.info/sct", code: "371530004", display: "Clinical consultation report"), nil, "Clinic letter"),
            (nil, "Scanned letter", "Scanned correspondence"),
        ]
        for index in 0..<count {
            let (type, typeText, description) = kinds[index % kinds.count]
            let created = now.addingTimeInterval(-Double(index % 3650 + 1) * 86_400)
            let lines = ["Synthetic document \(index + 1) of \(count).", "For load testing only."]
            let bytes =
                index % 2 == 0
                ? DocumentFiles.pdf(title: "\(description) \(index + 1)", lines: lines)
                : DocumentFiles.rtf(title: "\(description) \(index + 1)", lines: lines)
            let filing = DocumentFiling(
                nhsNumber: nhsNumber, contentType: index % 2 == 0 ? "application/pdf" : "application/rtf", size: bytes.count, type: type,
                typeText: typeText, description: "\(description) \(index + 1)", created: ISO8601.instant(created),
                authorOrganizationIDs: [practice.organizationID], reviewed: true)
            try await documents.file(filing, content: ByteChunks(bytes), practice: practice, now: created.addingTimeInterval(86_400))
        }
        return count
    }

    /// Files one PDF of at least `size` bytes, generated as it is written (never whole in memory).
    ///
    /// - Returns: the document.
    public static func seedLarge(
        stores: Stores, practice: Practice, nhsNumber: NHSNumber, size: Int, description: String, now: Date = Date()
    )
        async throws -> DocumentRecord
    {
        let pdf = PaddedPDF(title: description, minimumSize: size)
        let filing = DocumentFiling(
            nhsNumber: nhsNumber, contentType: "application/pdf", size: pdf.size, typeText: "Scanned paper records",
            description: description, created: ISO8601.instant(now.addingTimeInterval(-86_400)),
            authorOrganizationIDs: [practice.organizationID], reviewed: true)
        return try await Documents(stores: stores).file(filing, content: pdf, practice: practice, now: now)
    }
}

/// A one-page PDF grown to a size by a content stream of comment lines, produced piece by piece:
/// the header and fixed objects, the padding in 1 MiB pieces, then the cross-reference table,
/// whose offsets are known before the first byte is written.
struct PaddedPDF: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let head: [UInt8]
    let paddingLines: Int
    let tail: [UInt8]
    static let line = Array(("% " + String(repeating: "0", count: 77) + "\n").utf8)

    var size: Int { head.count + paddingLines * Self.line.count + tail.count }

    init(title: String, minimumSize: Int) {
        let text = "BT /F1 16 Tf 56 780 Td (\(DocumentFiles.escapePDF(title))) Tj ET\n"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents [5 0 R 6 0 R] >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            DocumentFiles.stream(text),
        ]
        var head = Array("%PDF-1.4\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(head.count)
            head += Array("\(index + 1) 0 obj\n\(object)\nendobj\n".utf8)
        }
        let lines = Swift.max(0, (minimumSize - head.count - 400) / Self.line.count + 1)
        let paddingLength = lines * Self.line.count
        offsets.append(head.count)
        head += Array("6 0 obj\n<< /Length \(paddingLength) >>\nstream\n".utf8)
        let afterPadding = head.count + paddingLength
        var tail = Array("\nendstream\nendobj\n".utf8)
        let xref = afterPadding + tail.count
        var table = "xref\n0 7\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        table += "trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        tail += Array(table.utf8)
        self.head = head
        self.paddingLines = lines
        self.tail = tail
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let pdf: PaddedPDF
        var stage = 0
        var linesLeft: Int

        mutating func next() async throws -> [UInt8]? {
            switch stage {
            case 0:
                stage = 1
                return pdf.head
            case 1 where linesLeft > 0:
                let count = Swift.min(linesLeft, (1 << 20) / PaddedPDF.line.count)
                linesLeft -= count
                var piece: [UInt8] = []
                piece.reserveCapacity(count * PaddedPDF.line.count)
                for _ in 0..<count { piece += PaddedPDF.line }
                return piece
            case 1:
                stage = 2
                return pdf.tail
            default:
                return nil
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pdf: self, linesLeft: paddingLines) }
}
