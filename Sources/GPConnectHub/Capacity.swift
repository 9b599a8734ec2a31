import Foundation
import GPConnectClient
import GPConnectContract
import Synchronization

/// Free appointment capacity across the federation: for every practice, its fetch outcome and
/// its free slots per day for 14 days, by delivery channel and slot type.
struct Capacity: Sendable {
    struct Row: Sendable {
        var ods: String
        var name: String
        var outcome: FederatedSlotSearch.Outcome
        /// Free slots on each of ``Capacity/days``.
        var perDay: [Int]
        /// Free slots per delivery channel and per slot type (service type), over the 14 days.
        var byChannel: [String: Int]
        var byType: [String: Int]
        var total: Int { perDay.reduce(0, +) }
    }

    /// The days, `yyyy-mm-dd` in UK time, today first.
    var days: [String]
    var rows: [Row]
    var fetched: Date

    static let dayCount = 14

    static func days(from start: Date) -> [String] {
        (0..<dayCount).map { UKTime.day(UKTime.day(offset: $0, from: start)) }
    }

    init(days: [String], result: FederatedSlotSearch.Result, fetched: Date) {
        self.days = days
        self.fetched = fetched
        let index = Dictionary(uniqueKeysWithValues: days.enumerated().map { ($1, $0) })
        rows = result.outcomes.map { endpoint, outcome in
            var row = Row(
                ods: endpoint.ods, name: endpoint.name ?? endpoint.ods, outcome: outcome, perDay: Array(repeating: 0, count: days.count),
                byChannel: [:], byType: [:])
            for slot in result.slots where slot.ods == endpoint.ods {
                guard let day = index[UKTime.day(slot.start)] else { continue }
                row.perDay[day] += 1
                row.byChannel[slot.deliveryChannel ?? "Not stated", default: 0] += 1
                row.byType[slot.serviceType ?? "Not stated", default: 0] += 1
            }
            if case .slots = outcome, let name = result.slots.first(where: { $0.ods == endpoint.ods })?.practice { row.name = name }
            return row
        }
    }

    /// Free slots per day across every practice.
    var perDayTotals: [Int] { days.indices.map { day in rows.reduce(0) { $0 + $1.perDay[day] } } }

    /// Every channel and slot type seen, sorted.
    var channels: [String] { Set(rows.flatMap(\.byChannel.keys)).sorted() }
    var types: [String] { Set(rows.flatMap(\.byType.keys)).sorted() }

    /// What the outcome column says: ok, none, refused with the Spine code, unreachable, timed out.
    static func outcomeText(_ outcome: FederatedSlotSearch.Outcome) -> String {
        switch outcome {
        case .slots: "ok"
        case .none: "none"
        case .refused(let status, let code): "refused: HTTP \(status)" + (code.map { " \($0)" } ?? "")
        case .unreachable: "unreachable"
        case .timedOut: "timed out"
        }
    }

    static func outcomeClass(_ outcome: FederatedSlotSearch.Outcome) -> String {
        switch outcome {
        case .slots: "ok"
        case .none: "none"
        case .refused: "refused"
        case .unreachable, .timedOut: "failed"
        }
    }

    // MARK: Table (CSV and XLSX share it)

    var tableHeader: [String] {
        ["ODS code", "Practice", "Outcome"] + days + ["Total"] + channels.map { "Channel: \($0)" } + types.map { "Type: \($0)" }
    }

    var tableRows: [[TableCell]] {
        let channels = channels
        let types = types
        return rows.map { row in
            [.text(row.ods), .text(row.name), .text(Self.outcomeText(row.outcome))] + row.perDay.map { .number($0) } + [.number(row.total)]
                + channels.map { .number(row.byChannel[$0] ?? 0) } + types.map { .number(row.byType[$0] ?? 0) }
        }
    }

    enum TableCell: Sendable, Equatable {
        case text(String)
        case number(Int)

        var text: String {
            switch self {
            case .text(let text): text
            case .number(let number): String(number)
            }
        }
    }

    /// RFC 4180 CSV, CRLF line ends; a cell starting with `=`, `+`, `-` or `@` is prefixed with `'`
    /// so a spreadsheet does not run it as a formula.
    var csv: String {
        func field(_ text: String) -> String {
            var value = text
            if let first = value.first, "=+-@".contains(first) { value = "'" + value }
            if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return value
        }
        return ([tableHeader.map(field)] + tableRows.map { $0.map { field($0.text) } }).map { $0.joined(separator: ",") + "\r\n" }.joined()
    }

    // MARK: Charts (SVG drawn on the server)

    /// The heatmap: practices down, days across, each cell shaded by its free slots; a practice
    /// whose fetch failed is hatched and says why.
    var heatmapSVG: String {
        let cell = 34
        let left = 210
        let top = 44
        let width = left + cell * days.count + 10
        let height = top + cell * max(rows.count, 1) + 10
        let peak = max(rows.flatMap(\.perDay).max() ?? 0, 1)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="heatmap" role="img" aria-labelledby="heatmap-title" \
            viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)">
            <title id="heatmap-title">Free slots per practice per day for \(days.count) days from \(days.first ?? "")</title>
            """
        for (column, day) in days.enumerated() {
            let x = left + column * cell + cell / 2
            svg += "<text x=\"\(x)\" y=\"16\" class=\"day\" text-anchor=\"middle\">\(escapeHTML(String(day.dropFirst(8))))</text>"
            svg += "<text x=\"\(x)\" y=\"32\" class=\"weekday\" text-anchor=\"middle\">\(Self.weekday(day))</text>"
        }
        for (line, row) in rows.enumerated() {
            let y = top + line * cell
            svg +=
                "<text x=\"\(left - 8)\" y=\"\(y + cell / 2 + 5)\" text-anchor=\"end\" class=\"practice\">\(escapeHTML(row.ods)) \(escapeHTML(String(row.name.prefix(18))))</text>"
            let failed: Bool
            switch row.outcome {
            case .slots, .none: failed = false
            default: failed = true
            }
            for (column, count) in row.perDay.enumerated() {
                let x = left + column * cell
                let label = "\(row.ods) \(days[column]): " + (failed ? Self.outcomeText(row.outcome) : "\(count) free")
                if failed {
                    svg +=
                        "<rect x=\"\(x + 1)\" y=\"\(y + 1)\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" class=\"failed\"><title>\(escapeHTML(label))</title></rect>"
                } else {
                    let level = count == 0 ? 0 : 1 + (count * 4 - 1) / peak
                    svg +=
                        "<rect x=\"\(x + 1)\" y=\"\(y + 1)\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" class=\"l\(level)\"><title>\(escapeHTML(label))</title></rect>"
                    svg +=
                        "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 5)\" text-anchor=\"middle\" class=\"count l\(level)\">\(count)</text>"
                }
            }
        }
        return svg + "</svg>"
    }

    /// Free slots per day across the federation, as bars.
    var perDaySVG: String {
        let totals = perDayTotals
        let bar = 34
        let left = 40
        let chartHeight = 160
        let width = left + bar * days.count + 10
        let height = chartHeight + 50
        let peak = max(totals.max() ?? 0, 1)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="perday-title" \
            viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)">
            <title id="perday-title">Free slots per day across the federation</title>
            <line x1="\(left)" y1="\(chartHeight + 10)" x2="\(width - 10)" y2="\(chartHeight + 10)" class="axis"/>
            <text x="\(left - 6)" y="18" text-anchor="end" class="tick">\(peak)</text>
            <text x="\(left - 6)" y="\(chartHeight + 10)" text-anchor="end" class="tick">0</text>
            """
        for (column, total) in totals.enumerated() {
            let h = total * chartHeight / peak
            let x = left + column * bar + 4
            svg +=
                "<rect x=\"\(x)\" y=\"\(chartHeight + 10 - h)\" width=\"\(bar - 8)\" height=\"\(h)\" class=\"bar\"><title>\(days[column]): \(total) free</title></rect>"
            svg +=
                "<text x=\"\(x + (bar - 8) / 2)\" y=\"\(chartHeight + 10 - h - 4)\" text-anchor=\"middle\" class=\"tick\">\(total)</text>"
            svg +=
                "<text x=\"\(x + (bar - 8) / 2)\" y=\"\(chartHeight + 28)\" text-anchor=\"middle\" class=\"day\">\(escapeHTML(String(days[column].dropFirst(8))))</text>"
            svg +=
                "<text x=\"\(x + (bar - 8) / 2)\" y=\"\(chartHeight + 44)\" text-anchor=\"middle\" class=\"weekday\">\(Self.weekday(days[column]))</text>"
        }
        return svg + "</svg>"
    }

    static func weekday(_ day: String) -> String {
        guard let date = UKTime.parse(day)?.date else { return "" }
        return ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][UKTime.weekday(date)]
    }
}

/// The last capacity fetched, for the exports (capacity is not patient data; it is shared by all users).
final class CapacityCache: Sendable {
    let last = Mutex<Capacity?>(nil)

    func store(_ capacity: Capacity) { last.withLock { $0 = capacity } }

    /// The last capacity if it is younger than `maximumAge`.
    func recent(maximumAge: TimeInterval = 300) -> Capacity? {
        last.withLock { capacity in
            guard let capacity, Date().timeIntervalSince(capacity.fetched) < maximumAge else { return nil }
            return capacity
        }
    }
}
