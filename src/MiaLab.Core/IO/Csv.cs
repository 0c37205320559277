using System.Globalization;
using System.Text;

namespace MiaLab.Core.IO;

/// <summary>
/// Reads a labelled table: a header row of column names, then one row per sample, comma
/// separated. One column holds integer class labels; every other column is a numeric feature.
/// Fields may be double-quoted (so a header name may contain a comma).
/// </summary>
public static class Csv
{
    /// <param name="labelColumn">The label column's name; null = the first column.</param>
    public static (float[] Features, long[] Labels, int FeatureCount) ReadLabelledTable(string path, string? labelColumn)
    {
        using var file = Npy.OpenRead(path);
        using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);

        int lineNumber = 0;
        string? line;
        do
        {
            line = reader.ReadLine();
            lineNumber++;
        } while (line is not null && line.Trim().Length == 0);
        if (line is null) throw new InputException($"{path}: empty file (a header row of column names is required)");

        var header = SplitFields(line, path, lineNumber).Select(h => h.Trim()).ToList();
        if (header.Count < 2)
            throw new InputException($"{path}: the header has {header.Count} column; a label column and at least one feature column are required");
        int labelIndex = 0;
        if (labelColumn is not null)
        {
            labelIndex = header.IndexOf(labelColumn);
            if (labelIndex < 0)
                throw new InputException($"{path}: no column named '{labelColumn}' (dataset.label_column); columns are: {string.Join(", ", header)}");
        }

        int featureCount = header.Count - 1;
        var features = new List<float>();
        var labels = new List<long>();
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            var fields = SplitFields(line, path, lineNumber);
            if (fields.Count != header.Count)
                throw new InputException($"{path}:{lineNumber}: expected {header.Count} fields like the header, found {fields.Count}");
            for (int c = 0; c < fields.Count; c++)
            {
                string f = fields[c].Trim();
                if (c == labelIndex)
                    labels.Add(ParseLabel(f, path, lineNumber, header[c]));
                else if (float.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    features.Add(v);
                else
                    throw new InputException($"{path}:{lineNumber}: value '{f}' in column '{header[c]}' is not a number");
            }
        }
        if (labels.Count == 0) throw new InputException($"{path}: no data rows after the header");
        return (features.ToArray(), labels.ToArray(), featureCount);
    }

    private static long ParseLabel(string f, string path, int lineNumber, string column)
    {
        if (long.TryParse(f, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l)) return l;
        // Labels exported from pandas as floats ("3.0") are still class indices.
        if (double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            && d == Math.Floor(d) && Math.Abs(d) < 1e15)
            return (long)d;
        throw new InputException($"{path}:{lineNumber}: label '{f}' in column '{column}' is not an integer class index");
    }

    /// <summary>Splits one line on commas, honouring double quotes ("" inside quotes is a quote).</summary>
    private static List<string> SplitFields(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') current.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        if (quoted) throw new InputException($"{path}:{lineNumber}: unterminated quoted field");
        fields.Add(current.ToString());
        return fields;
    }
}
