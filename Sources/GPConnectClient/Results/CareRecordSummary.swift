public import FHIR
import Foundation
import GPConnectContract

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A care record section as a consumer shows it: the patient it is about, and the view read back
/// from the Composition's XHTML into headings, banners, paragraphs and tables. Nothing of the
/// provider's markup is passed on: ``text`` and ``htmlPage`` are written afresh from what was read,
/// every value escaped (a consumer MUST display the banners as sent; GP Connect 0.7.4,
/// accessrecord_html_layout, "Banners").
public struct CareRecordSummary: Sendable, Equatable {
    public enum Block: Sendable, Equatable {
        case heading(level: Int, text: String)
        /// A banner `div` (`gptransfer-banner`, `content-banner`, `date-banner`, `exclusion-banner`) and its text.
        case banner(kind: String, text: String)
        case paragraph(String)
        /// A table: its id, column names and rows; a one-cell row is a group heading (a medication item).
        case table(id: String?, columns: [String], rows: [[String]])
    }

    public var sectionCode: String?
    public var sectionTitle: String?
    public var patientName: String?
    public var nhsNumber: String?
    public var birthDate: String?
    public var deceased: String?
    public var blocks: [Block]

    public init(_ bundle: FHIRElement) {
        let resources = (bundle["entry"]?.items ?? []).compactMap { $0["resource"] }
        let composition = resources.first { $0["resourceType"]?.string == "Composition" }
        let section = composition?["section"]?.items.first
        sectionCode = section?["code"]?["coding"]?.items.first?["code"]?.string
        sectionTitle = section?["title"]?.string
        let patient = resources.first { $0["resourceType"]?.string == "Patient" }
        if let name = patient?["name"]?.items.first {
            let parts = (name["prefix"]?.items ?? []) + (name["given"]?.items ?? []) + (name["family"]?.items ?? [])
            patientName = parts.compactMap(\.string).joined(separator: " ")
        }
        nhsNumber = patient?["identifier"]?.items.first { $0["system"]?.string == DSTU2System.nhsNumber }?["value"]?.string
        birthDate = patient?["birthDate"]?.string
        deceased = patient?["deceasedDateTime"]?.string
        blocks = Self.blocks(section?["text"]?["div"]?.string ?? "")
    }

    /// Reads the view's XHTML (well-formed, or nothing is read).
    static func blocks(_ xhtml: String) -> [Block] {
        let reader = ViewReader()
        let parser = XMLParser(data: Data(xhtml.utf8))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), parser.parserError == nil, reader.depth == 0 else {
            return [.paragraph("The provider's view could not be read.")]
        }
        return reader.blocks
    }

    /// The view as terminal text: headings underlined, banners bracketed, tables in aligned columns.
    public var text: String {
        var lines: [String] = []
        for block in blocks {
            switch block {
            case .heading(let level, let text):
                if !lines.isEmpty { lines.append("") }
                lines.append(text)
                lines.append(String(repeating: level == 1 ? "=" : "-", count: text.count))
            case .banner(_, let text): lines.append("[\(text)]")
            case .paragraph(let text): lines.append(text)
            case .table(_, let columns, let rows):
                let widths = columns.indices.map { column in
                    ([columns] + rows.filter { $0.count > 1 }).map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
                }
                func line(_ cells: [String]) -> String {
                    cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                        .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
                }
                lines.append(line(columns))
                lines.append(line(widths.map { String(repeating: "-", count: $0) }))
                for row in rows { lines.append(row.count == 1 ? "* " + row[0] : line(row)) }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Text escaped for HTML content and double-quoted attribute values.
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A page a person can open in a browser, styled the way clinical systems present a record section.
    public var htmlPage: String {
        var body = ""
        let patient = [patientName, nhsNumber.map { "NHS number " + $0 }, birthDate.map { "born " + $0 }, deceased.map { "died " + $0 }]
            .compactMap { $0 }.joined(separator: " · ")
        body +=
            "<header><div class=\"patient\">\(Self.escape(patient))</div><div class=\"source\">GP Connect care record</div></header><main>"
        for block in blocks {
            switch block {
            case .heading(let level, let text): body += "<h\(level)>\(Self.escape(text))</h\(level)>"
            case .banner(let kind, let text): body += "<div class=\"banner \(Self.escape(kind))\">\(Self.escape(text))</div>"
            case .paragraph(let text): body += "<p>\(Self.escape(text))</p>"
            case .table(_, let columns, let rows):
                body += "<table><thead><tr>" + columns.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
                for row in rows {
                    if row.count == 1 {
                        body += "<tr class=\"group\"><td colspan=\"\(columns.count)\">\(Self.escape(row[0]))</td></tr>"
                    } else {
                        body += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>"
                    }
                }
                body += "</tbody></table>"
            }
        }
        body += "</main>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(sectionTitle ?? "Care record"))</title>
            <style>
            body{font-family:Arial,Helvetica,sans-serif;margin:0;color:#212b32;background:#f0f4f5}
            header{background:#005eb8;color:#fff;padding:12px 24px;display:flex;justify-content:space-between}
            .patient{font-weight:bold}main{padding:8px 24px 32px}
            h1{font-size:1.6em;margin:16px 0 8px}h2{font-size:1.2em;margin:24px 0 6px;border-bottom:2px solid #005eb8}
            .banner{padding:6px 10px;margin:6px 0;border-left:6px solid #768692;background:#fff}
            .gptransfer-banner{border-color:#d5281b}.exclusion-banner{border-color:#ffb81c}.date-banner{border-color:#005eb8}
            table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0}
            th,td{border:1px solid #d8dde0;padding:4px 8px;text-align:left;vertical-align:top}
            th{background:#e8edee}tr.group td{background:#f0f4f5;font-weight:bold}
            </style></head><body>\(body)</body></html>
            """
    }
}

/// Reads the elements a care record view is made of.
final class ViewReader: NSObject, XMLParserDelegate {
    var blocks: [CareRecordSummary.Block] = []
    var text = ""
    var bannerKinds: [String?] = []
    var tableID: String?
    var columns: [String] = []
    var rows: [[String]] = []
    var row: [String] = []
    var inTable = false
    /// Elements open: a document that ends with some still open is not well-formed.
    var depth = 0

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        depth += 1
        switch name {
        case "div": bannerKinds.append(attributes["class"])
        case "table":
            inTable = true
            tableID = attributes["id"]
            columns = []
            rows = []
        case "tr": row = []
        default: break
        }
        if ["h1", "h2", "p", "th", "td"].contains(name) { text = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        let value = text.trimmingCharacters(in: .whitespaces)
        switch name {
        case "h1": blocks.append(.heading(level: 1, text: value))
        case "h2": blocks.append(.heading(level: 2, text: value))
        case "p":
            if let kind = bannerKinds.last ?? nil, kind.hasSuffix("banner") {
                blocks.append(.banner(kind: kind, text: value))
            } else {
                blocks.append(.paragraph(value))
            }
        case "th": columns.append(value)
        case "td": row.append(value)
        case "tr": if inTable, !row.isEmpty { rows.append(row) }
        case "table":
            inTable = false
            blocks.append(.table(id: tableID, columns: columns, rows: rows))
        case "div": _ = bannerKinds.popLast()
        default: break
        }
        if ["h1", "h2", "p", "th", "td"].contains(name) { text = "" }
    }
}
