public import CredsyncCore

/// The identities the tests' configurations and records share, written once.
public enum Fixture {
    /// The provincial office: the organisation of every test configuration and the `source` of every batch.
    public static let officeName = "某省知识产权局"
    public static let officeUSCC = "11330000MB12345679"
    public static let organisation = Organisation(name: officeName, uscc: officeUSCC)
    /// The enterprise most test records are about (a valid USCC).
    public static let companyUSCC = "91330100716105852F"
    /// The example export under `examples/`: the license and pledge records that map (of 334 and 243 rows read).
    public static let exampleLicenses = 321
    public static let examplePledges = 240
}
