public import GPConnectContract

/// The national demographics service (PDS) as registration needs it. The store-backed
/// implementation is seeded from the registration pool; a real PDS client can replace it.
public protocol DemographicsService: Sendable {
    /// The PDS record for an NHS number, or nil when PDS does not know it.
    ///
    /// - Throws: when PDS cannot be reached (registration then answers `INTERNAL_SERVER_ERROR`).
    func lookup(nhsNumber: NHSNumber) async throws -> DemographicsRecord?
}

/// Writes and reads the people a demographics store knows.
public protocol DemographicsStore: DemographicsService {
    func saveDemographics(_ record: DemographicsRecord) async throws
}
