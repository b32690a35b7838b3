public import DossierModel
public import DossierXML
internal import DossierIO

/// The rows one XML "table" should yield: the absolute path of its repeated element and the
/// relative column paths to collect under each occurrence.
public struct XMLTableSpec: Hashable, Sendable {
    /// `/export/clienten/client`.
    public var path: String
    /// `@id`, `naam/achternaam`, `auteur/@code`, in the order rows list them.
    public var columns: [String]

    public init(path: String, columns: [String]) { self.path = path; self.columns = columns }

    /// The tables and columns a profile reads, in the order the profile names them.
    public static func specs(for profile: MappingProfile) -> [XMLTableSpec] {
        var order: [String] = []
        var columns: [String: [String]] = [:]
        for t in ProfileCheck.tableUses(profile) where columns[t.table] == nil {
            order.append(t.table)
            columns[t.table] = []
        }
        for use in ProfileCheck.columnUses(profile) where !(columns[use.table]?.contains(use.column) ?? true) {
            columns[use.table]!.append(use.column)
        }
        return order.map { XMLTableSpec(path: $0, columns: columns[$0]!) }
    }
}

/// Turns the repeated elements of an XML export into rows, streaming, as a mapping profile names them.
///
/// A "table" is an absolute element path and each of its occurrences one row; a column is a path
/// relative to that element (`@id`, `naam/achternaam`, `auteur/@code`). An element column takes all
/// the text inside the element (XPath's string value), exactly as written; a column whose element or
/// attribute is absent is `.null`, an empty element is `.text("")`. Only the columns asked for are
/// kept, so memory holds one row per open table element whatever the file's size; parsing goes
/// through `XMLStreamReader`, which refuses DTDs, entities and bad UTF-8.
///
/// A row's location is its file, the line of its start tag, the table, and as entry the table path
/// with the element's occurrence number in the document (`/export/clienten/client[2]`).
///
/// A column path that matches more than once under one row (two `<telefoon>` children): the first
/// value wins and the reader records an `xml.repeated` warning (in `diagnostics`), because dropping
/// the whole row or failing the export would lose more than the second value does; a profile that
/// needs the second one should address it through its own element.
///
/// Table elements may nest (`/export/client` and `/export/client/rapportage`): a nested row is
/// yielded when its element ends, so before the row around it. `tables` lists the tables seen with
/// every attribute and leaf-element path found under their rows (an empty element that only
/// carries attributes is not itself a column) (first-seen order, at most
/// `maxColumns`), so `profile check` can name columns the profile expects but the export lacks.
public final class XMLRowReader: RowReader {
    public let file: String
    /// The most distinct column paths recorded per table.
    public static let maxColumns = 10_000
    /// Warnings about accepted rows, the first 1000 listed.
    public private(set) var diagnostics = DiagnosticLog(limit: 1_000)

    private let stream: XMLStreamReader
    private let specs: [String: Spec]
    private var seen: [String: SeenColumns] = [:]
    private var seenOrder: [String] = []
    /// Absolute path of each open element, outermost first.
    private var paths: [String] = []
    /// Per open element: whether it has a child element or attributes, and whether it has text
    /// (leaf elements become columns, unless they only carry attributes).
    private var shape: [(children: Bool, attributes: Bool, text: Bool)] = []
    /// Occurrences of each table element so far, for the `[n]` in a row's entry.
    private var occurrences: [String: Int] = [:]
    /// Rows whose element is open, innermost last.
    private var open: [OpenRow] = []
    private var finished = false

    private struct Spec {
        let name: String
        let columns: [String]
        /// Relative element path → column index, for element-text columns.
        let elements: [String: Int]
        /// Relative element path ("" for the row element) → (attribute name, column index).
        let attributes: [String: [(name: String, column: Int)]]
    }

    private struct SeenColumns {
        var names: [String] = []
        var set: Set<String> = []
    }

    private final class OpenRow {
        let spec: Spec
        let depth: Int
        let line: Int
        let entry: String
        var values: [SourceValue]
        /// Columns whose element is open, with the depth of that element and the text so far.
        var capturing: [(column: Int, depth: Int, text: String)] = []

        init(spec: Spec, depth: Int, line: Int, entry: String) {
            self.spec = spec; self.depth = depth; self.line = line; self.entry = entry
            values = Array(repeating: .null, count: spec.columns.count)
        }
    }

    /// Opens `path` (`-` for standard input). Throws for a table path that is not absolute.
    public convenience init(path: String, tables: [XMLTableSpec], limits: XMLLimits = .stream) throws {
        try self.init(stream: XMLStreamReader(path: path, limits: limits), tables: tables)
    }

    public init(stream: XMLStreamReader, tables: [XMLTableSpec]) throws {
        self.stream = stream
        file = stream.file
        var specs: [String: Spec] = [:]
        for t in tables {
            guard t.path.hasPrefix("/"), !t.path.hasSuffix("/"), !t.path.contains("@") else {
                throw DossierError("xml.table-path", "table \(t.path) is not an absolute element path such as /export/clienten/client",
                                   at: SourceLocation(file: stream.file, table: t.path))
            }
            var elements: [String: Int] = [:]
            var attributes: [String: [(name: String, column: Int)]] = [:]
            for (i, c) in t.columns.enumerated() {
                let parts = c.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                guard !parts.isEmpty, !parts.contains(""), !parts.dropLast().contains(where: { $0.hasPrefix("@") }),
                      parts.last != "@" else {
                    throw DossierError("xml.column-path", "column '\(c)' of \(t.path) is not a relative path such as naam/achternaam or auteur/@code",
                                       at: SourceLocation(file: stream.file, table: t.path))
                }
                if let attr = parts.last, attr.hasPrefix("@") {
                    attributes[parts.dropLast().joined(separator: "/"), default: []].append((String(attr.dropFirst()), i))
                } else {
                    elements[c] = i
                }
            }
            specs[t.path] = Spec(name: t.path, columns: t.columns, elements: elements, attributes: attributes)
        }
        self.specs = specs
    }

    public var tables: [String: SourceTable] {
        var out: [String: SourceTable] = [:]
        for name in seenOrder { out[name] = SourceTable(name: name, columns: seen[name]!.names.map { SourceColumn(name: $0) }) }
        return out
    }

    public func nextRow() throws -> SourceRow? {
        guard !finished else { return nil }
        while let event = try stream.next() {
            switch event {
            case .start(let tag):
                try start(tag)
            case .text(let text):
                if !shape.isEmpty, text.utf8.contains(where: { $0 > 0x20 }) { shape[shape.count - 1].text = true }
                for row in open { for i in row.capturing.indices { row.capturing[i].text += text } }
            case .end:
                if let row = try end() { return row }
            }
        }
        finished = true
        return nil
    }

    private func start(_ tag: XMLStartTag) throws {
        if !shape.isEmpty { shape[shape.count - 1].children = true }
        let path = (paths.last ?? "") + "/" + tag.localName
        paths.append(path)
        shape.append((false, !tag.attributes.isEmpty, false))
        let depth = paths.count
        if let spec = specs[path] {
            let n = occurrences[path, default: 0] + 1
            occurrences[path] = n
            open.append(OpenRow(spec: spec, depth: depth, line: tag.line, entry: "\(path)[\(n)]"))
            if seen[path] == nil { seen[path] = SeenColumns(); seenOrder.append(path) }
        }
        for row in open {
            let relative = depth == row.depth ? "" : String(path.utf8.dropFirst(row.spec.name.utf8.count + 1))!
            for a in tag.attributes where a.namespace == nil {
                try see(row, relative.isEmpty ? "@" + a.localName : relative + "/@" + a.localName)
            }
            for (name, column) in row.spec.attributes[relative] ?? [] {
                guard let a = tag.attributes.first(where: { $0.localName == name && $0.namespace == nil }) else { continue }
                set(row, column, .text(a.value), line: tag.line)
            }
            if depth > row.depth, let column = row.spec.elements[relative] {
                row.capturing.append((column, depth, ""))
            }
        }
    }

    private func end() throws -> SourceRow? {
        let depth = paths.count
        let path = paths.removeLast()
        let s = shape.removeLast()
        let leaf = !s.children && (s.text || !s.attributes)
        for row in open {
            if leaf, depth > row.depth {
                try see(row, String(path.utf8.dropFirst(row.spec.name.utf8.count + 1))!)
            }
            while let c = row.capturing.last, c.depth == depth {
                row.capturing.removeLast()
                set(row, c.column, .text(c.text), line: stream.line)
            }
        }
        guard let row = open.last, row.depth == depth else { return nil }
        open.removeLast()
        return SourceRow(table: row.spec.name, columns: row.spec.columns, values: row.values,
                         location: SourceLocation(file: file, line: row.line, table: row.spec.name, entry: row.entry))
    }

    private func set(_ row: OpenRow, _ column: Int, _ value: SourceValue, line: Int) {
        guard row.values[column] == .null else {
            diagnostics.append(.warning("xml.repeated", "column '\(row.spec.columns[column])' occurs more than once in this row; the first value is kept",
                                        at: SourceLocation(file: file, line: line, table: row.spec.name, entry: row.entry)))
            return
        }
        row.values[column] = value
    }

    /// Records a column path found under a row, for `tables`.
    private func see(_ row: OpenRow, _ column: String) throws {
        guard !seen[row.spec.name]!.set.contains(column) else { return }
        guard seen[row.spec.name]!.names.count < Self.maxColumns else {
            throw DossierError("xml.columns", "rows of \(row.spec.name) hold more than \(Self.maxColumns) different element and attribute paths",
                               at: SourceLocation(file: file, line: row.line, table: row.spec.name))
        }
        seen[row.spec.name]!.set.insert(column)
        seen[row.spec.name]!.names.append(column)
    }
}
