using MiaLab.Core.Cluster;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Tests.Cluster;

public class SlurmTests
{
    [Fact]
    public void The_array_script_gives_task_i_the_shard_i_of_n_on_the_run_directory()
    {
        var run = new RunLayout("/shared/runs/fm");
        string script = Slurm.Script(["dotnet", "/opt/mialab/mialab.dll"], "/home/u/fm.yaml", run, 4, "/home/u", device: null);
        Assert.StartsWith("#!/bin/bash\n", script);
        Assert.Contains("#SBATCH --array=0-3\n", script);
        Assert.Contains("#SBATCH --output=/shared/runs/fm/slurm/task-%a.out\n", script);
        Assert.Contains("#SBATCH --chdir=/home/u\n", script);
        Assert.EndsWith("dotnet /opt/mialab/mialab.dll train --config /home/u/fm.yaml --run /shared/runs/fm --shard \"$SLURM_ARRAY_TASK_ID/4\"\n", script);
        Assert.Contains("--device cuda --shard", Slurm.Script(["mialab"], "c.yaml", run, 2, "/w", device: "cuda"));
        // A path with a space or quote is quoted for the shell.
        Assert.Contains("--config '/my runs/it'\\''s.yaml'", Slurm.Script(["mialab"], "/my runs/it's.yaml", run, 2, "/w", null));
    }

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("--partition=gpu   --time=2:00:00", new[] { "--partition=gpu", "--time=2:00:00" })]
    [InlineData("--comment \"two words\" -J 'a b'", new[] { "--comment", "two words", "-J", "a b" })]
    [InlineData("--x=''", new[] { "--x=" })]
    public void Sbatch_arguments_split_like_a_shell(string text, string[] expected) =>
        Assert.Equal(expected, Slurm.SplitArguments(text));

    [Fact]
    public void An_unclosed_quote_in_the_sbatch_arguments_is_one_line() =>
        Assert.Equal("--slurm-args has an unclosed \" quote: --comment \"oops",
            Assert.Throws<InputException>(() => Slurm.SplitArguments("--comment \"oops")).Message);
}
