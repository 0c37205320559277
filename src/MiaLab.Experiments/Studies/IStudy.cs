using System.Text.Json.Nodes;
using MiaLab.Core.Config;
using MiaLab.Core.Pipeline;
using MiaLab.Reports.Pages;

namespace MiaLab.Experiments.Studies;

/// <summary>One setting of a study: a name (also its run directory's) and the config it trains.</summary>
public interface IStudySetting
{
    string Name { get; }
    RunConfig Config { get; }
}

/// <summary>What a study's measurement can use while it runs.</summary>
public sealed record StudyContext(Action<StageProgress>? Progress, Action<string>? Log, CancellationToken Cancel);

/// <summary>A setting with what was measured on its run directory (relative to the study's folder).</summary>
public sealed record StudyRow<TSetting, TRow>(TSetting Setting, string Run, TRow Measures);

/// <summary>
/// A study: a list of named settings, each measured on its own run directory, then shown as one
/// table (written as markdown, CSV and in the HTML page), figures and a JSON file. The
/// <see cref="StudyRunner"/> does the rest: one run directory per distinct config, resumable and
/// reused on a rerun, each row cached beside its run until the config or <see cref="AnalysisKey"/> changes.
/// </summary>
/// <typeparam name="TRow">What is measured on one setting; a record that System.Text.Json can round-trip.</typeparam>
public interface IStudy<TSetting, TRow> where TSetting : IStudySetting
{
    /// <summary>The file stem: &lt;name&gt;.md, &lt;name&gt;.csv, &lt;name&gt;.json beside report.html.</summary>
    string Name { get; }

    /// <summary>Everything besides the config that decides a row (attacks, detector options…): rows
    /// measured under another key are measured again; trained models are kept.</summary>
    string AnalysisKey { get; }

    IReadOnlyList<TSetting> Settings();

    /// <summary>The study's base config, when it has one: settings with exactly that config share the
    /// run directory "base".</summary>
    RunConfig? Base { get; }

    /// <summary>Trains (or resumes) the setting's run directory and measures it.</summary>
    TRow Measure(TSetting setting, string runDirectory, StudyContext context);

    /// <summary>The results table, one row per setting.</summary>
    PageTable Table(IReadOnlyList<StudyRow<TSetting, TRow>> rows);

    /// <summary>The HTML page: title, intro, figures and definitions (the runner puts <see cref="Table"/> first).</summary>
    StudyPage Page(IReadOnlyList<StudyRow<TSetting, TRow>> rows);

    /// <summary>What the JSON file says about the study as a whole (its description, base config, fits).</summary>
    JsonObject Summary(IReadOnlyList<StudyRow<TSetting, TRow>> rows);
}
