import GPConnectContract

extension StructuredQuery.Problems {
    /// Whether a problem passes the filters (any of them): its status and significance.
    func matches(_ problem: ClinicalItem, significance: String?) -> Bool {
        guard !filters.isEmpty else { return true }
        return filters.contains { filter in
            (filter.status == nil || filter.status == problem.status)
                && (filter.significance == nil || filter.significance == significance)
        }
    }

    var isUnfiltered: Bool { filters.isEmpty }
}
