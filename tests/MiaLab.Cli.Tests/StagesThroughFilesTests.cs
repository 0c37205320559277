using System.Text.Json;

namespace MiaLab.Cli.Tests;

/// <summary>Each stage of the CLI works from the files of the one before, and only from them.</summary>
public sealed class StagesThroughFilesTests : CliTest
{
    [Fact]
    public void EvaluateAndReportRunFromFilesAfterModelsAndLogitsAreDeleted()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml(models: 6, samples: 400, holdout: 100));
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "R"));
        // Two attack calls: their results end up in one metrics.json.
        Cli.AssertSuccess(Cli.Run(work, "attack", "--run", "R", "--attacks", "loss,rmia-online", "--bootstrap", "20"));
        Cli.AssertSuccess(Cli.Run(work, "attack", "--run", "R", "--attacks", "lira-offline", "--all-targets", "--bootstrap", "20"));

        string run = Path.Combine(work, "R");
        Directory.Delete(Path.Combine(run, "models"), recursive: true);
        Directory.Delete(Path.Combine(run, "logits"), recursive: true);
        File.Delete(Path.Combine(run, "metrics.json"));
        Directory.Delete(Path.Combine(run, "report"), recursive: true);

        var evaluated = Cli.AssertSuccess(Cli.Run(work, "evaluate", "--run", "R", "--bootstrap", "20"));
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
        {
            var targets = metrics.RootElement.GetProperty("targets");
            Assert.Equal(6, targets.GetArrayLength());
            Assert.Equal(["lira-offline", "loss", "rmia-online"], targets[0].GetProperty("attacks").EnumerateObject().Select(p => p.Name));
            Assert.Equal(["lira-offline"], targets[3].GetProperty("attacks").EnumerateObject().Select(p => p.Name));
            Assert.Equal(6, metrics.RootElement.GetProperty("pooled").GetProperty("lira-offline").GetProperty("targets").GetArrayLength());
        }
        Assert.Contains("lira-offline", evaluated.Stdout);

        File.Delete(Path.Combine(run, "report", "index.html"));
        Cli.AssertSuccess(Cli.Run(work, "report", "--run", "R", "--target", "3"));
        string html = File.ReadAllText(Path.Combine(run, "report", "index.html"));
        Assert.Contains("lira-offline", html);
        Assert.DoesNotContain("rmia-online", html); // target 3 was attacked by lira-offline only
    }

    [Fact]
    public void AStageAskedOfMissingInputsSaysWhichStageComesFirst()
    {
        string work = NewWorkDir();
        TestFiles.WriteForeignRun(Path.Combine(work, "R"), models: 4, samples: 200);
        Assert.Contains("run 'mialab evaluate --run DIR' (or 'mialab attack') first", Cli.AssertUserError(Cli.Run(work, "report", "--run", "R")));
        Cli.AssertSuccess(Cli.Run(work, "evaluate", "--run", "R")); // nothing attacked yet: an empty metrics.json
        Assert.Contains("has no results for target 0", Cli.AssertUserError(Cli.Run(work, "report", "--run", "R")));
    }
}
