/// Resource limits applied to untrusted XML before and while libxml2 parses it.
///
/// libxml2 2.9.14 has quadratic duplicate-attribute and namespace checks and builds whole trees, so
/// the limits are enforced on the raw bytes by `InputScreen` before libxml2 sees them; `nil` means
/// unbounded, which only the streaming reader uses for its total size and node count.
public struct XMLLimits: Hashable, Sendable {
    /// Total input bytes.
    public var maxBytes: Int64?
    /// Element nesting depth (libxml2's own ceiling without `XML_PARSE_HUGE` is 256).
    public var maxDepth: Int
    /// Attributes plus namespace declarations on one start tag.
    public var maxAttributes: Int
    /// Elements plus attributes in the whole input.
    public var maxNodes: Int?
    /// Elements plus text nodes in one subtree built in memory by `XMLStreamReader.readElement`.
    public var maxSubtreeNodes: Int

    public init(maxBytes: Int64?, maxDepth: Int = 256, maxAttributes: Int = 128, maxNodes: Int?,
                maxSubtreeNodes: Int = 2_000_000) {
        self.maxBytes = maxBytes; self.maxDepth = maxDepth; self.maxAttributes = maxAttributes
        self.maxNodes = maxNodes; self.maxSubtreeNodes = maxSubtreeNodes
    }

    /// For documents parsed whole in memory: 64 MiB and two million nodes keep the tree in the
    /// low hundreds of MiB.
    public static let document = XMLLimits(maxBytes: 64 << 20, maxNodes: 2_000_000)

    /// For the streaming reader: the input may be many GB, so only shape limits apply.
    public static let stream = XMLLimits(maxBytes: nil, maxNodes: nil)
}
