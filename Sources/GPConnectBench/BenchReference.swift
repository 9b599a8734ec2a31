/// The reference practice and systems the benchmark calls as, in one place: the practice of the
/// GP Connect reference data set (ODS `B82617`, ASID `918999198738`) and the conformance pack's
/// consumer ASID (`200000000359`) (nhsconnect/gpconnect-provider-testing, App.config
/// `providerASID`, `consumerASID`, `providerOdsCode`).
public enum BenchReference {
    public static let practiceODS = "B82617"
    public static let practiceASID = "918999198738"
    public static let consumerASID = "200000000359"
    /// Patient 2 of the reference data: the richest structured record.
    public static let patient2ID = "2"
    public static let patient2NHSNumber = "9690937286"
    /// A logical id no patient of the reference data has: a valid request answered 404.
    public static let unknownPatientID = "999999"
    /// Patient3, who holds no reference documents: the benchmark files its large documents there.
    public static let patient3NHSNumber = "9690937294"
    /// The reference patients 1…8 that bookings cycle through.
    public static let bookablePatients = 8
    /// The location bookings are made at.
    public static let locationID = "16"
}
