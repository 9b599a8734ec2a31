import Foundation
public import GPConnect
public import GPConnectContract

/// What to generate: `patients` spread over `practices`, from `seed`, with dates counted back from
/// `today`. The same plan always gives the same population, byte for byte.
public struct PopulationPlan: Sendable, Equatable {
    public var patients: Int
    public var practices: Int
    public var seed: UInt64
    /// The seed day, `yyyy-MM-dd`: ages, registrations and clinical dates count back from it.
    public var today: String

    public init(patients: Int, practices: Int, seed: UInt64 = 15, today: String) {
        self.patients = patients
        self.practices = practices
        self.seed = seed
        self.today = today
    }

    /// NHS numbers come from a range of 5 million (see ``Population/nhsNumber(_:)``); ODS codes from 9,999.
    public static let maximumPatients = 5_000_000
    public static let maximumPractices = 9_999
}

/// A generated practice: its row, its directory and the run of patients registered with it.
public struct GeneratedPractice: Sendable {
    public var practice: Practice
    public var organizations: [OrganizationRecord]
    public var practitioners: [PractitionerRecord]
    public var locations: [LocationRecord]
    /// The population-wide index of its first patient, and how many it has.
    public var firstPatient: Int
    public var patientCount: Int
}

/// A generated patient: the practice's record, the PDS record, and the clinical record.
public struct GeneratedPatient: Sendable {
    public var index: Int
    public var practice: String
    public var record: PatientRecord
    public var demographics: DemographicsRecord
    public var items: [ClinicalItem]
    /// Whether a (small) document is filed for the patient after the record.
    public var hasDocument: Bool
}

/// A deterministic synthetic population: generated practices (with directories) and patients with
/// an age and sex structure like England's, common names, registrations and clinical records
/// drawn from age-dependent prevalences.
///
/// Every practice and every patient is generated from its own stream of a ``SeededGenerator``
/// (the plan's seed mixed with the entity's number), so any patient can be generated on its own,
/// in any order and on any thread, and always comes out the same.
public struct Population: Sendable {
    public let plan: PopulationPlan
    public let practices: [GeneratedPractice]

    public init(plan: PopulationPlan) {
        self.plan = plan
        let count = max(1, plan.practices)
        // List sizes vary (English practices range from a few thousand to tens of thousands).
        var sizes = SeededGenerator(seed: plan.seed, stream: 0, salt: 3)
        let weights = (0..<count).map { _ in 0.5 + sizes.unit() }
        let total = weights.reduce(0, +)
        var practices: [GeneratedPractice] = []
        var first = 0
        for index in 0..<count {
            let share = index == count - 1 ? plan.patients - first : Int(Double(plan.patients) * weights[index] / total)
            practices.append(Self.practice(index, plan: plan, firstPatient: first, patientCount: max(0, share)))
            first += max(0, share)
        }
        self.practices = practices
    }

    /// The ODS code of generated practice `index` (from 0): `X7` and four digits, a shape no
    /// reference or test practice uses.
    public static func odsCode(_ index: Int) -> String { "X7" + pad(index + 1, 4) }

    /// The NHS number of patient `index` (from 0): the nine digits `970000000 + 2 × index`, or the
    /// next number up when that one has no valid check digit. A step of one in the last of the
    /// nine digits changes the modulus 11 sum by 2, so one of the pair always has a check digit;
    /// pairs never overlap, so numbers are unique, and the 970–979 million range holds no
    /// reference patient (those are 969…, 947…, 965…, 986… and 999…).
    public static func nhsNumber(_ index: Int) -> NHSNumber {
        let base = 970_000_000 + 2 * index
        for body in [base, base + 1] {
            let digits = String(body)
            var sum = 0
            for (position, digit) in digits.utf8.enumerated() { sum += Int(digit - 48) * (10 - position) }
            var check = 11 - sum % 11
            if check == 11 { check = 0 }
            if check != 10, let number = NHSNumber(digits + String(check)) { return number }
        }
        preconditionFailure("one of two neighbouring NHS numbers always has a check digit")
    }

    /// The practice patient `index` is registered with.
    public func practiceIndex(ofPatient index: Int) -> Int {
        var low = 0
        var high = practices.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if practices[middle].firstPatient <= index { low = middle } else { high = middle - 1 }
        }
        return low
    }

    public func patients(_ range: Range<Int>) -> [GeneratedPatient] { range.map(patient) }

    /// Patient `index` (from 0) of the population.
    public func patient(_ index: Int) -> GeneratedPatient {
        let practice = practices[practiceIndex(ofPatient: index)]
        var rng = SeededGenerator(seed: plan.seed, stream: UInt64(index), salt: 1)
        return PatientGenerator(plan: plan, practice: practice, index: index).generate(&rng)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func practice(_ index: Int, plan: PopulationPlan, firstPatient: Int, patientCount: Int) -> GeneratedPractice {
        var rng = SeededGenerator(seed: plan.seed, stream: UInt64(index), salt: 2)
        let ods = odsCode(index)
        let town = rng.pick(PopulationData.towns)
        let area = "\(town.postcode)\(rng.int(1...town.districts))"
        let phone = "01" + pad(rng.int(100...999), 3) + "496" + pad(index % 1000, 3)
        let name =
            "\(rng.pick(PopulationData.streets).split(separator: " ")[0]) \(rng.pick(["Surgery", "Medical Centre", "Health Centre"]))"
        let address = Address(
            use: "work", lines: ["\(rng.int(1...200)) \(rng.pick(PopulationData.streets))"], city: town.city, district: town.district,
            postalCode: "\(area) \(rng.int(1...9))\(rng.pick(PopulationData.postcodeLetters))\(rng.pick(PopulationData.postcodeLetters))")
        let organization = OrganizationRecord(
            id: "1", ods: ods, name: name.uppercased(), addresses: [address],
            telecom: [ContactPoint(system: "phone", value: phone + "0", use: "work")], version: "1")
        // About one GP per 1,800 registered patients (NHS Digital, "General Practice Workforce"), at least two.
        let doctors = min(60, max(2, patientCount / 1_800))
        var practitioners: [PractitionerRecord] = []
        for number in 1...doctors {
            let female = rng.chance(0.55)
            let given = rng.pick(female ? PopulationData.femaleNames[1] : PopulationData.maleNames[1])
            practitioners.append(
                PractitionerRecord(
                    id: String(number), sdsUserID: "G7" + pad(index + 1, 4) + pad(number, 3),
                    name: PersonName(
                        use: "usual", family: rng.pick(PopulationData.familyNames).capitalized, given: [given], prefix: ["Dr"]),
                    gender: female ? "female" : "male", languages: ["en"], version: "1"))
        }
        let type = Code(system: "http://hl7.org/fhir/v3/RoleCode", code: "PC", display: "primary care clinic")
        let premises = Code(system: "http://snomed.info/sct", code: "264358009", display: "General practice premises")
        var locations = [
            LocationRecord(
                id: "1", siteCode: ods, name: "Main surgery", type: type, physicalType: premises, address: address,
                telecom: [ContactPoint(system: "phone", value: phone + "1", use: "work")], managingOrganizationID: "1", version: "1")
        ]
        if rng.chance(0.4) {
            let branch = Address(
                use: "work", lines: ["\(rng.int(1...200)) \(rng.pick(PopulationData.streets))"], city: town.city, district: town.district,
                postalCode:
                    "\(area) \(rng.int(1...9))\(rng.pick(PopulationData.postcodeLetters))\(rng.pick(PopulationData.postcodeLetters))")
            locations.append(
                LocationRecord(
                    id: "2", siteCode: ods, name: "Branch surgery", type: type, physicalType: premises, address: branch,
                    telecom: [ContactPoint(system: "phone", value: phone + "2", use: "work")], managingOrganizationID: "1", partOfID: "1",
                    version: "1"))
        }
        let practice = Practice(ods: ods, asid: "9189995" + pad(index + 1, 5), name: name.uppercased(), organizationID: "1")
        return GeneratedPractice(
            practice: practice, organizations: [organization], practitioners: practitioners, locations: locations,
            firstPatient: firstPatient, patientCount: patientCount)
    }
}
