namespace MiaLab.Cli.Tests;

/// <summary><c>mialab mint probe</c> end to end: its table prints (it once died on "[95% CI]" read as
/// console markup, after the detectors had trained), its files are written, and a run of other groups keeps the rows already measured.</summary>
public sealed class MintProbeCommandTests : CliTest
{
    [Fact]
    public void The_probe_prints_its_table_writes_its_files_and_a_rerun_reuses_the_rows()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml(models: 2, samples: 300, holdout: 60));
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "R"));

        var r = Cli.AssertSuccess(Cli.Run(work, "mint", "probe", "--run", "R", "--groups", "paper,default"));
        Assert.Contains("[95% CI]", r.Stdout);
        Assert.Contains("max-confidence", r.Stdout);
        string md = Path.Combine(work, "R", "mint", "probe-0000.md");
        string table = File.ReadAllText(md);
        Assert.Contains("| paper | paper: L1 0.1 on weights, all points |", table);
        Assert.Contains("| default | default: confidence view, no L1 |", table);
        Assert.Contains("| baseline | loss (threshold from MINT-train) |", table);

        // A run of one group keeps the rows another --groups run measured.
        Cli.AssertSuccess(Cli.Run(work, "mint", "probe", "--run", "R", "--groups", "paper"));
        Assert.Contains("| default | default: confidence view, no L1 |", File.ReadAllText(md));

        Assert.Contains("probe group 'bogus'", Cli.AssertUserError(Cli.Run(work, "mint", "probe", "--run", "R", "--groups", "bogus")));
    }
}
