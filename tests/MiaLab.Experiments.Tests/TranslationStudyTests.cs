using MiaLab.Core.Attacks;

namespace MiaLab.Experiments.Tests;

/// <summary>The quick translation study on Fashion-MNIST: every setting measured by every image-to-image
/// attack, the files and figures written, and a rerun that trains nothing.</summary>
public sealed class TranslationStudyTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mialab-translation-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void The_quick_study_runs_end_to_end_and_a_rerun_trains_nothing()
    {
        var plan = TranslationStudyPlan.Quick(null);
        string output = Path.Combine(dir, "translation");
        var result = TranslationStudy.Run(plan, output);

        Assert.Equal(["edges2image-7x7-n80", "edges2image-28x28-n80"], result.Rows.Select(r => r.Setting.Name));
        foreach (var file in new[] { result.MarkdownPath, result.CsvPath, result.JsonPath, result.ReportPath })
            Assert.True(File.Exists(file), $"{file} missing");
        foreach (var row in result.Rows)
        {
            Assert.Equal(AttackRegistry.NamesFor(AttackInput.Reconstruction), row.Measures.Attacks.Select(a => a.Attack));
            Assert.All(row.Measures.Attacks, a => Assert.True(a.Auc is >= 0 and <= 1, $"{row.Setting.Name} {a.Attack}: AUC {a.Auc}"));
            Assert.InRange(row.Measures.HeldOutL1!.Value, 0, 1);
            Assert.NotEmpty(row.Measures.Scatter);
            Assert.True(File.Exists(Path.Combine(output, row.Run, "report", "index.html")));
        }
        // One backbone for every setting.
        Assert.True(File.Exists(Path.Combine(output, "backbone", "backbone.npz")));
        string page = File.ReadAllText(result.ReportPath);
        Assert.Contains("AUC against output dimension", page);
        Assert.Contains("L_rec against L_pred", page);

        var stamps = Directory.EnumerateFiles(output, "*.npz", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        TranslationStudy.Run(plan, output);
        Assert.All(stamps, p => Assert.Equal(p.Value, File.GetLastWriteTimeUtc(p.Key)));
    }
}
