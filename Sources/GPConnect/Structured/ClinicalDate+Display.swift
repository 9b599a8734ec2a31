import GPConnectContract

extension ClinicalDate {
    /// `dd-Mmm-yyyy`, as the data-in-transit warning writes a date.
    static func display(_ date: String) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let day = lowerBound(date)
        let parts = day.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), (1...12).contains(month) else { return day }
        return "\(parts[2])-\(months[month - 1])-\(parts[0])"
    }
}
