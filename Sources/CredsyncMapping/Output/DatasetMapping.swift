public import CredsyncCatalogs
public import CredsyncCore
public import CredsyncFormats

/// A configured catalog with its loaded mapping, and the platforms that take its records.
public struct DatasetMapping: Sendable {
    public var catalog: CatalogConfig
    public var definition: MappingDefinition
    /// Platforms configured to take this dataset that the mapping also names, in order.
    public var platforms: [PlatformConfig]

    /// Every configured catalog with its mapping. A mapping or format file with an error throws
    /// (exit 78) naming the file, the JSON path and a hint.
    public static func load(_ config: Config, datasets: [Dataset] = []) throws(CredsyncError) -> [DatasetMapping] {
        var result: [DatasetMapping] = []
        for catalog in config.catalogs where datasets.isEmpty || datasets.contains(catalog.dataset) {
            let definition = try MappingLoader.load(catalog.mapping)
            guard definition.dataset == catalog.dataset else {
                throw CredsyncError(
                    .configuration,
                    "\(catalog.mapping): maps \(definition.dataset.rawValue), but the catalog is \(catalog.dataset.rawValue)",
                    hint: "point the catalog at the \(catalog.dataset.rawValue) mapping")
            }
            let platforms = config.platforms.filter {
                $0.datasets.contains(catalog.dataset) && definition.platforms[$0.id] != nil
            }
            result.append(DatasetMapping(catalog: catalog, definition: definition, platforms: platforms))
        }
        return result
    }

    /// The export read through the mapping, as of `today`.
    public func read(organisation: Organisation, today: LocalDate, progress: ProgressLine? = nil) throws(RowProblem)
        -> ExportResult
    {
        try ExportMapping(catalog: catalog, definition: definition, organisation: organisation, today: today).collect(
            progress: progress)
    }

    /// The export read through the mapping with its valid records handed to `body` in file order
    /// and not kept (`ExportMapping.stream`): for printing a whole export in bounded memory.
    public func stream(
        organisation: Organisation, today: LocalDate, progress: ProgressLine? = nil, _ body: (MappedRecord) -> Void
    ) throws(RowProblem) -> ExportResult {
        try ExportMapping(catalog: catalog, definition: definition, organisation: organisation, today: today)
            .stream(progress: progress, body)
    }
}
