public import FHIR
import GPConnectContract

/// A free `GPConnect-Slot-1` Slot with what its schedule says about it: who, where, how
/// (nhsconnect/gpconnect feature/1.6.2, appointments_use_case_search_for_free_slots,
/// "Payload response body").
public struct SlotSummary: Sendable, Equatable {
    public var id: String
    /// `Slot.start` and `Slot.end` as the provider wrote them (UK local time with offset).
    public var start: String?
    public var end: String?
    /// The `Slot.schedule` reference (`Schedule/{id}`).
    public var schedule: String?
    /// The name of the schedule's practitioner.
    public var practitionerName: String?
    /// The name and id of the schedule's location.
    public var locationName: String?
    public var locationID: String?
    /// The `Extension-GPConnect-DeliveryChannel-2` code (`In-person`, `Telephone`, `Video`).
    public var deliveryChannel: String?
    /// `Slot.serviceType.text`.
    public var serviceType: String?
    /// The display of the schedule's `Extension-GPConnect-PractitionerRole-1` (e.g. `General Medical Practitioner`).
    public var practitionerRole: String?

    /// A slot of a search result; practitioner and location come from its schedule's actors.
    public init(_ slot: FHIRElement, in found: GPConnectClient.FreeSlots) {
        id = slot["id"]?.string ?? ""
        start = slot["start"]?.string
        end = slot["end"]?.string
        schedule = slot["schedule"]?["reference"]?.string
        practitionerName = HumanNameText.of(found.practitioner(of: slot))
        let location = found.location(of: slot)
        locationName = location?["name"]?.string
        locationID = location?["id"]?.string
        deliveryChannel = slot["extension"]?.items.first { $0["url"]?.string == ExtensionURL.deliveryChannel }?["valueCode"]?.string
        serviceType = slot["serviceType"]?.items.first?["text"]?.string
        let role = found.schedule(of: slot)?["extension"]?.items.first { $0["url"]?.string == ExtensionURL.practitionerRole }
        practitionerRole = role?["valueCodeableConcept"]?["coding"]?.items.first?["display"]?.string
    }
}
