using System.Globalization;
using System.Text;
using MiaLab.Reports.Pages;

namespace MiaLab.Experiments.Studies;

/// <summary>A study's <see cref="PageTable"/> as markdown and CSV: the same columns and values as the
/// HTML page (a cell's secondary lines are left out; a header's unit joins it in parentheses).</summary>
public static class StudyTables
{
    public static string Markdown(PageTable table, string title, string description)
    {
        var s = new StringBuilder();
        s.Append("# ").Append(title).Append("\n\n").Append(description).Append("\n\n");
        AppendRows(s, table);
        return s.ToString();
    }

    private static void AppendRows(StringBuilder s, PageTable table)
    {
        var headers = table.Columns.Select(Header).ToList();
        s.Append("| ").Append(string.Join(" | ", headers.Select(Md))).Append(" |\n");
        s.Append('|').Append(string.Concat(table.Columns.Select(c => c.Numeric ? "---:|" : "---|"))).Append('\n');
        foreach (var row in table.Rows)
            s.Append("| ").Append(string.Join(" | ", row.Cells.Select(c => Md(c.Text)))).Append(" |\n");
        foreach (var note in table.Notes) s.Append('\n').Append(note).Append('\n');
    }

    /// <summary>The first table as <see cref="Markdown(PageTable, string, string)"/>, then each further one
    /// under its title as a second-level heading.</summary>
    public static string Markdown(IReadOnlyList<PageTable> tables, string title, string description)
    {
        var s = new StringBuilder(Markdown(tables[0], title, description));
        foreach (var table in tables.Skip(1))
        {
            s.Append("\n## ").Append(table.Title ?? table.Id ?? "Table").Append("\n\n");
            AppendRows(s, table);
        }
        return s.ToString();
    }

    public static string Csv(PageTable table)
    {
        var s = new StringBuilder();
        s.Append(string.Join(",", table.Columns.Select(c => Cell(Header(c))))).Append('\n');
        foreach (var row in table.Rows)
            s.Append(string.Join(",", row.Cells.Select(c => Cell(c.Text == Missing ? "" : c.Text)))).Append('\n');
        return s.ToString();
    }

    /// <summary>How a value that could not be measured is shown.</summary>
    public const string Missing = "–";

    /// <summary>A number for a table: three decimals, or <see cref="Missing"/>.</summary>
    public static string Number(double? value, string format = "0.000") =>
        value is double v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : Missing;

    private static string Header(TableColumn c) => c.Unit is null ? c.Header : $"{c.Header} ({c.Unit})";

    private static string Md(string text) => text.Replace("|", "\\|").ReplaceLineEndings(" ");

    private static string Cell(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
}
