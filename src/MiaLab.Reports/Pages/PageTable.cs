namespace MiaLab.Reports.Pages;

/// <summary>A table: column headers and rows of cells. Cells may carry secondary lines under their value,
/// so a table stays narrow enough for a laptop screen instead of growing columns.</summary>
public sealed record PageTable(IReadOnlyList<TableColumn> Columns, IReadOnlyList<TableRow> Rows) : PageBlock
{
    public override string Kind => "table";

    /// <summary>The table's HTML id, e.g. "attacks-table".</summary>
    public string? Id { get; init; }

    /// <summary>A heading drawn above the table.</summary>
    public string? Title { get; init; }

    /// <summary>Paragraphs drawn under the table.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Shown in place of the rows when there are none.</summary>
    public string EmptyText { get; init; } = "No rows.";

    /// <summary>When set, the table is folded away under this summary line until the reader opens it.</summary>
    public string? Folded { get; init; }

    /// <summary>The first cell of each row heads its row (a table of settings, say).</summary>
    public bool RowHeaders { get; init; }
}

/// <summary>A column: its header, an optional unit on a second header line, and how its cells are drawn.</summary>
public sealed record TableColumn(string Header, string? Unit = null)
{
    /// <summary>Right-aligned with tabular figures.</summary>
    public bool Numeric { get; init; }

    /// <summary>In a monospace font (paths, hashes, feature values).</summary>
    public bool Mono { get; init; }

    /// <summary>In bold: the column the reader should look at first.</summary>
    public bool Strong { get; init; }
}

/// <summary>A row of cells, one per column.</summary>
/// <param name="Key">Identifies the row in the HTML (data-key), e.g. the attack's name.</param>
public sealed record TableRow(IReadOnlyList<TableCell> Cells, string? Key = null);

/// <summary>A cell: its value and, under it, smaller secondary lines.</summary>
/// <param name="Text">The value.</param>
public sealed record TableCell(string Text)
{
    /// <summary>Secondary lines under the value, e.g. a confidence interval.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>A secondary line that needs attention, e.g. "7 unscored".</summary>
    public string? Warning { get; init; }

    /// <summary>Text shown on hover; the value is then marked as an abbreviation that explains itself.</summary>
    public string? Tooltip { get; init; }

    /// <summary>A colour key drawn before the value (#rrggbb), matching a figure.</summary>
    public string? Swatch { get; init; }

    public static implicit operator TableCell(string text) => new(text);
}
