import Foundation

/// Real files for the reference documents, generated at seed time so that a consumer can open what
/// it retrieves: a PDF (1.4, one page of Helvetica text, correct cross-reference table), an RTF, or
/// plain text.
public enum DocumentFiles {
    /// A one-page PDF with a title and lines of text. `padTo` grows the file to at least that many
    /// bytes with a second, blank-looking content stream of PDF comments (still a valid file), for
    /// the documents a reference patient must hold over the size limit.
    public static func pdf(title: String, lines: [String], padTo minimumSize: Int = 0) -> [UInt8] {
        var text = "BT /F1 16 Tf 56 780 Td (\(escapePDF(title))) Tj ET\n"
        var y = 750
        for line in lines {
            text += "BT /F1 11 Tf 56 \(y) Td (\(escapePDF(line))) Tj ET\n"
            y -= 16
        }
        var objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents [5 0 R 6 0 R] >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            stream(text),
        ]
        let fixed = objects.reduce(0) { $0 + $1.utf8.count + 32 } + 400
        var padding = ""
        if minimumSize > fixed {
            let line = "% " + String(repeating: "0", count: 77) + "\n"
            padding = String(repeating: line, count: (minimumSize - fixed) / line.utf8.count + 1)
        }
        objects.append(stream(padding))

        // The header, then a comment of high bytes that marks the file as binary.
        var bytes = Array("%PDF-1.4\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(bytes.count)
            bytes += Array("\(index + 1) 0 obj\n\(object)\nendobj\n".utf8)
        }
        let xref = bytes.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        bytes += Array(table.utf8)
        return bytes
    }

    static func stream(_ content: String) -> String {
        "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream"
    }

    /// PDF string literals escape `\`, `(` and `)`; text outside Latin-1 is replaced.
    static func escapePDF(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\", "(", ")": out += "\\" + String(scalar)
            case _ where scalar.value < 0x20 || scalar.value > 0x7E: out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// An RTF document (opens in Word, LibreOffice and WordPad).
    public static func rtf(title: String, lines: [String]) -> [UInt8] {
        var out = "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0\\fswiss Helvetica;}}\\f0\\fs32\\b \(escapeRTF(title))\\b0\\fs22\\par\n"
        for line in lines { out += "\(escapeRTF(line))\\par\n" }
        out += "}\n"
        return Array(out.utf8)
    }

    static func escapeRTF(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\", "{", "}": out += "\\" + String(scalar)
            case _ where scalar.value > 0x7E: out += "\\u\(Int16(truncatingIfNeeded: Int(scalar.value)))?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Plain UTF-8 text.
    public static func text(title: String, lines: [String]) -> [UInt8] {
        Array(([title, String(repeating: "=", count: title.count)] + lines).joined(separator: "\n").utf8) + [0x0A]
    }
}
