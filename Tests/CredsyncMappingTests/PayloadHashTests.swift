import CredsyncCore
import TestSupport
import Testing

@testable import CredsyncMapping
import CredsyncFormats

@Suite struct PayloadHashTests {
    /// Every record of the four sample exports, for every date form a platform uses: the hash
    /// written straight from the values is the hash of the canonical payload.
    @Test(arguments: ReferenceMapping.sampleExports)
    func matchesTheCanonicalPayloadHash(
        dataset: Dataset, file: String, format: CatalogConfig.Format, encoding: CatalogConfig.Encoding
    ) throws {
        let (definition, catalog) = try ReferenceMapping.sample(dataset, file, format, encoding)
        let export = try ExportMapping(
            catalog: catalog, definition: definition, organisation: ReferenceMapping.organisation,
            today: ReferenceMapping.today
        ).collect()
        #expect(export.records.count > 100)
        for record in export.records {
            var canonical: [String] = []
            for separator in ["-", "/"] {
                let payload = record.payload(format: definition.format, dateSeparator: separator)
                canonical.append(JSONWriter.canonicalHash(.object(payload)))
                #expect(
                    record.payloadHash(format: definition.format, dateSeparator: separator) == canonical.last,
                    "\(record.key)")
            }
            // Written once and hashed per separator, in either order: the same hashes.
            #expect(
                record.payloadDigests(format: definition.format, dateSeparators: ["/", "-", "/"]).map(\.hex) == [
                    canonical[1], canonical[0], canonical[1],
                ])
        }
    }
}
