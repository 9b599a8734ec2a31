import GPConnectContract

/// The PDS verification rules (GP Connect 1.6.2, foundations_use_case_find_a_patient, "Provider system
/// unverified record requirements"): the NHS number is verified when the date of birth matches exactly,
/// or two of its three parts match and the first three letters of the family name and the first letter
/// of the given name match.
public enum DemographicsMatch {
    public static func verifies(name: PersonName, birthDate: String, against person: DemographicsRecord) -> Bool {
        if birthDate == person.birthDate { return true }
        let mine = birthDate.split(separator: "-")
        let theirs = person.birthDate.split(separator: "-")
        guard mine.count == 3, theirs.count == 3 else { return false }
        let matchingParts = zip(mine, theirs).filter { $0 == $1 }.count
        func prefix(_ text: String?, _ count: Int) -> String { String((text ?? "").lowercased().prefix(count)) }
        let family = prefix(name.family, 3)
        let given = prefix(name.given.first, 1)
        return matchingParts >= 2 && family.count == 3 && family == prefix(person.name.family, 3)
            && !given.isEmpty && given == prefix(person.name.given.first, 1)
    }
}
