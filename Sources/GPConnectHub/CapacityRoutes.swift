import Foundation
import GPConnectClient
import GPConnectContract
import Hummingbird
import Mustache
import NIOCore

extension Hub {
    /// The capacity page is streamed: the top of the page and a progress bar first, then a line as
    /// each practice answers, then the heatmap, the per-day chart and the table. A slow practice
    /// shows as waiting, never as a blank page.
    func registerCapacity(on router: Router<HubRequestContext>) {
        router.get("/capacity") { [self] _, context in
            let session = try context.signedIn()
            let marker = "<!--hub-content-->"
            let shell = views.layout(title: "Capacity across the federation", content: marker, session: session, section: "/capacity")
            let parts = shell.components(separatedBy: marker)
            let head = parts.first ?? ""
            let tail = parts.count > 1 ? parts[1] : ""
            let practices = directory.practices
            let search = FederatedSlotSearch(client: client(for: session.user), deadline: configuration.deadline)
            let cache = capacity
            let views = views
            let booking = directory.consumer
            let body = ResponseBody { writer in
                try await writer.write(
                    ByteBuffer(
                        string: head
                            + "<section class=\"progress\" aria-live=\"polite\"><h2>Asking \(practices.count) practice\(practices.count == 1 ? "" : "s")</h2>"
                            + "<progress max=\"\(practices.count)\" value=\"0\">0 of \(practices.count)</progress><ul class=\"answers\">"))
                let now = Date()
                let start = UKTime.startOfDay(now)
                let days = Capacity.days(from: start)
                let (answers, continuation) = AsyncStream<(ProviderEndpoint, FederatedSlotSearch.Outcome)>.makeStream()
                let running = Task {
                    let result = await search.search(
                        practices, from: now, to: UKTime.day(offset: Capacity.dayCount, from: start), bookingODS: booking.ods,
                        organizationType: booking.type
                    ) { endpoint, outcome in continuation.yield((endpoint, outcome)) }
                    continuation.finish()
                    return result
                }
                var answered = 0
                for await (endpoint, outcome) in answers {
                    answered += 1
                    try await writer.write(
                        ByteBuffer(
                            string:
                                "<li class=\"\(Capacity.outcomeClass(outcome))\">\(escapeHTML(endpoint.ods)) \(escapeHTML(endpoint.name ?? "")): \(escapeHTML(Capacity.outcomeText(outcome)))</li>"
                                + "<li class=\"bar\"><progress max=\"\(practices.count)\" value=\"\(answered)\">\(answered) of \(practices.count)</progress></li>"
                        )
                    )
                }
                let result = await running.value
                let capacity = Capacity(days: days, result: result, fetched: Date())
                cache.store(capacity)
                let rest = views.library.render(Self.capacityData(capacity, csrf: session.csrf), withTemplate: "capacity") ?? ""
                try await writer.write(ByteBuffer(string: "</ul><p class=\"done\">All practices answered.</p></section>" + rest + tail))
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: body)
        }
        router.get("/capacity.csv") { [self] _, context in
            let session = try context.signedIn()
            let capacity = try await recentCapacity(session)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"capacity-\(capacity.days.first ?? "").csv\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: capacity.csv)))
        }
        router.get("/capacity.xlsx") { [self] _, context in
            let session = try context.signedIn()
            let capacity = try await recentCapacity(session)
            let bytes = XLSX.workbook(sheet: "Capacity", header: capacity.tableHeader, rows: capacity.tableRows)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    .contentDisposition: "attachment; filename=\"capacity-\(capacity.days.first ?? "").xlsx\"",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// The capacity the page last showed (what the user exports is what they saw), or a fresh one.
    func recentCapacity(_ session: HubSession) async throws -> Capacity {
        if let capacity = capacity.recent() { return capacity }
        let now = Date()
        let start = UKTime.startOfDay(now)
        let result = await FederatedSlotSearch(client: client(for: session.user), deadline: configuration.deadline).search(
            directory.practices, from: now, to: UKTime.day(offset: Capacity.dayCount, from: start), bookingODS: directory.consumer.ods,
            organizationType: directory.consumer.type)
        let fresh = Capacity(days: Capacity.days(from: start), result: result, fetched: Date())
        capacity.store(fresh)
        return fresh
    }

    static func capacityData(_ capacity: Capacity, csrf: String) -> [String: Any] {
        let channels = capacity.channels
        let types = capacity.types
        return [
            "heatmap": capacity.heatmapSVG,
            "perDay": capacity.perDaySVG,
            "fetched": UKTime.format(capacity.fetched),
            "days": capacity.days.map { ["day": String($0.dropFirst(5)), "weekday": Capacity.weekday($0)] },
            "channels": channels,
            "types": types,
            "rows": capacity.rows.map { row -> [String: Any] in
                [
                    "ods": row.ods, "name": row.name, "outcome": Capacity.outcomeText(row.outcome),
                    "outcomeClass": Capacity.outcomeClass(row.outcome), "perDay": row.perDay, "total": row.total,
                    "byChannel": channels.map { row.byChannel[$0] ?? 0 }, "byType": types.map { row.byType[$0] ?? 0 },
                ]
            },
            "totals": capacity.perDayTotals,
            "grandTotal": capacity.perDayTotals.reduce(0, +),
            "csrf": csrf,
        ]
    }
}
