namespace MiaLab.Experiments.Studies;

/// <summary>A study's rows and the files it wrote into its folder.</summary>
public sealed record StudyResult<TSetting, TRow>(IReadOnlyList<StudyRow<TSetting, TRow>> Rows, string Folder, string Name, double Seconds)
{
    public string MarkdownPath => Path.Combine(Folder, Name + ".md");
    public string CsvPath => Path.Combine(Folder, Name + ".csv");
    public string JsonPath => Path.Combine(Folder, Name + ".json");
    public string ReportPath => Path.Combine(Folder, StudyRunner.ReportFile);

    /// <summary>&lt;name&gt;-&lt;id&gt;.csv: one of the page's further tables.</summary>
    public string TableCsvPath(string id) => Path.Combine(Folder, $"{Name}-{id}.csv");
}
