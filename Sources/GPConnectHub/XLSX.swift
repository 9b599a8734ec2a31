import Foundation

/// An Office Open XML workbook of one sheet (ECMA-376 Part 1, SpreadsheetML), in a ZIP archive
/// written here with the "stored" method (APPNOTE.TXT 6.3, method 0). A capacity table is a few
/// kilobytes, so nothing is gained by deflating it, and a stored archive needs no zlib: the hub
/// does not take on a ZIP library (ZIPFoundation would bring zlib on Linux) for ~100 lines.
enum XLSX {
    static func workbook(sheet name: String, header: [String], rows: [[Capacity.TableCell]]) -> [UInt8] {
        func column(_ index: Int) -> String {
            var index = index
            var name = ""
            repeat {
                name = String(UnicodeScalar(UInt8(65 + index % 26))) + name
                index = index / 26 - 1
            } while index >= 0
            return name
        }
        func cell(_ value: Capacity.TableCell, _ reference: String) -> String {
            switch value {
            case .number(let number): "<c r=\"\(reference)\"><v>\(number)</v></c>"
            case .text(let text): "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(xml(text))</t></is></c>"
            }
        }
        var sheetRows = ""
        for (line, values) in ([header.map { Capacity.TableCell.text($0) }] + rows).enumerated() {
            sheetRows += "<row r=\"\(line + 1)\">"
            for (index, value) in values.enumerated() { sheetRows += cell(value, "\(column(index))\(line + 1)") }
            sheetRows += "</row>"
        }
        let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        let files: [(String, String)] = [
            (
                "[Content_Types].xml",
                declaration
                    + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                    + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                    + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                    + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
                    + "</Types>"
            ),
            (
                "_rels/.rels",
                declaration
                    + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
                    + "</Relationships>"
            ),
            (
                "xl/workbook.xml",
                declaration
                    + "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                    + "<sheets><sheet name=\"\(xml(name))\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
            (
                "xl/_rels/workbook.xml.rels",
                declaration
                    + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                    + "</Relationships>"
            ),
            (
                "xl/worksheets/sheet1.xml",
                declaration
                    + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\(sheetRows)</sheetData></worksheet>"
            ),
        ]
        return StoredZip.archive(files.map { ($0.0, Array($0.1.utf8)) })
    }

    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // XML 1.0 allows no other control characters.
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default: if scalar.value >= 0x20 { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

/// A ZIP archive of stored (uncompressed) files.
enum StoredZip {
    static func archive(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ value: Int, _ into: inout [UInt8]) { into += [UInt8(value & 0xff), UInt8((value >> 8) & 0xff)] }
        func u32(_ value: UInt32, _ into: inout [UInt8]) {
            for shift in stride(from: 0, to: 32, by: 8) { into.append(UInt8((value >> UInt32(shift)) & 0xff)) }
        }
        // 1980-01-01 00:00, the earliest DOS date: the archive is the same for the same table.
        let time = 0
        let date = (0 << 9) | (1 << 5) | 1
        for file in files {
            let name = Array(file.name.utf8)
            let crc = crc32(file.bytes)
            let offset = UInt32(out.count)
            // The fields both headers share: version needed, flags (names are UTF-8), method 0
            // (stored), time, date, CRC-32, both sizes, name length.
            func common(_ into: inout [UInt8]) {
                for value in [20, 0x0800, 0, time, date] { u16(value, &into) }
                for value in [crc, UInt32(file.bytes.count), UInt32(file.bytes.count)] { u32(value, &into) }
                u16(name.count, &into)
            }
            u32(0x0403_4b50, &out)
            common(&out)
            u16(0, &out)  // extra field length
            out += name
            out += file.bytes
            u32(0x0201_4b50, &central)
            u16(20, &central)  // version made by
            common(&central)
            for _ in 0..<4 { u16(0, &central) }  // extra and comment lengths, disk number, internal attributes
            u32(0, &central)  // external attributes
            u32(offset, &central)
            central += name
        }
        let centralOffset = UInt32(out.count)
        out += central
        u32(0x0605_4b50, &out)
        u16(0, &out)
        u16(0, &out)
        u16(files.count, &out)
        u16(files.count, &out)
        u32(UInt32(central.count), &out)
        u32(centralOffset, &out)
        u16(0, &out)
        return out
    }

    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
