using MiaLab.Core.Attacks;

namespace MiaLab.Core.Tests.Attacks;

/// <summary>The image-to-image attacks' directions (a member-like sample scores higher), on errors set by hand.</summary>
public sealed class ReconstructionAttacksTests
{
    [Fact]
    public void Recon_scores_a_lower_error_higher()
    {
        // Target model 0, samples: 0.1 (member-like), 0.4; one query.
        var o = new ReconstructionOutputs([[0.1f, 0.4f], [0.3f, 0.3f]], [[true, false], [false, true]], 1);
        var r = ReconstructionAttacks.Recon(o, 0);
        Assert.Equal([-0.1, -0.4], r.Scores.Select(s => Math.Round(s, 6)));
        Assert.True(r.Scores[0] > r.Scores[1]);
    }

    [Fact]
    public void Recon_predictability_ranks_a_hard_member_above_an_easy_non_member()
    {
        // Sample 0: a hard member, L_rec 0.30 but L_pred 0.50. Sample 1: an easy non-member, L_rec 0.10, L_pred 0.05.
        var o = new ReconstructionOutputs([[0.3f, 0.1f], [0.3f, 0.3f]], [[true, false], [false, true]], 1, predictability: [0.5, 0.05]);
        var recon = ReconstructionAttacks.Recon(o, 0);
        var membership = ReconstructionAttacks.MembershipError(o, 0);
        Assert.True(recon.Scores[1] > recon.Scores[0]); // −L_rec is fooled by the easy one
        // −(L_rec − L_pred): 0.2 for the member, −0.05 for the non-member.
        Assert.Equal(0.2, membership.Scores[0], 6);
        Assert.Equal(-0.05, membership.Scores[1], 6);
    }

    [Fact]
    public void Holdout_samples_are_not_scored()
    {
        var o = new ReconstructionOutputs([[0.1f, 0.4f], [0.3f, 0.3f]], [[true, false], [false, false]], 1, holdout: [false, true]);
        var r = ReconstructionAttacks.Recon(o, 0);
        Assert.True(double.IsNaN(r.Scores[1]));
        Assert.Equal([1], r.Unscored);
    }

    [Fact]
    public void Lira_on_the_reconstruction_error_scores_an_error_below_the_out_references_higher()
    {
        // Two samples; references 1–4 never trained on either (offline), with errors around 0.2.
        // The target reconstructs sample 0 far better than the references did, sample 1 as they did.
        float[][] errors = [[0.02f, 0.2f], [0.19f, 0.19f], [0.21f, 0.21f], [0.2f, 0.2f], [0.18f, 0.22f]];
        bool[][] keep = [[true, false], [false, false], [false, false], [false, false], [false, false]];
        var o = new ReconstructionOutputs(errors, keep, 1);
        var lira = AttackRegistry.Get("recon-lira-offline").Run(new AttackContext(null, 0, [1, 2, 3, 4], 0, o));
        Assert.True(lira.Scores[0] > lira.Scores[1]);
        Assert.Equal(-Math.Log(0.02), ReconstructionAttacks.LogStatistic(o, 0)[0], 5);
    }

    [Fact]
    public void Rmia_on_the_reconstruction_error_scores_the_better_reconstructed_member_higher()
    {
        // τ = the references' median error, 0.2. Sample 0 (a member) has log-ratio −0.1 − log mean(e^−1, e^−1.05) ≈ 0.93,
        // above every non-member's (sample 1: −0.5, sample 2: ≈ −0.03, sample 3: −0.05): score 1; sample 1 is below both others: 0.
        float[][] errors = [[0.02f, 0.3f, 0.2f, 0.21f], [0.2f, 0.2f, 0.19f, 0.2f], [0.21f, 0.2f, 0.2f, 0.2f]];
        bool[][] keep = [[true, false, false, false], [false, false, true, false], [false, true, false, true]];
        var o = new ReconstructionOutputs(errors, keep, 1);
        var rmia = AttackRegistry.Get("recon-rmia-online").Run(new AttackContext(null, 0, [1, 2], 0, o));
        Assert.Equal(1.0, rmia.Scores[0], 12);
        Assert.Equal(0.0, rmia.Scores[1], 12);
        Assert.True(rmia.Extras["temperature"] > 0.19 && rmia.Extras["temperature"] < 0.21);
    }

    [Fact]
    public void An_attack_of_the_other_kind_of_run_says_so()
    {
        var recon = new ReconstructionOutputs([[0.1f], [0.2f]], [[true], [false]], 1);
        string? reason = AttackRegistry.Get("loss").Unmet(recon, 1);
        Assert.NotNull(reason);
        Assert.Contains("image-to-image", reason);
        var logits = new ModelOutputs([[0f, 1f], [1f, 0f]], [0], [[true], [false]], 1, 2);
        Assert.Contains("reconstruction errors", AttackRegistry.Get("recon").Unmet(logits, 1));
        Assert.Contains("predictability", AttackRegistry.Get("recon-predictability").Unmet(recon, 1));
        Assert.Null(AttackRegistry.Get("recon").Unmet(recon, 1));
        Assert.Equal(["recon", "recon-predictability", "recon-lira-online", "recon-lira-offline", "recon-rmia-online", "recon-rmia-offline"],
            AttackRegistry.NamesFor(AttackInput.Reconstruction));
    }

    [Fact]
    public void Lira_and_rmia_on_the_reconstruction_error_read_their_parameters_from_the_settings()
    {
        var random = new Core.Randomness.StableRandom(11);
        const int n = 30, models = 6;
        var keep = Enumerable.Range(0, models).Select(m => Enumerable.Range(0, n).Select(i => (i + m) % 2 == 0).ToArray()).ToArray();
        var errors = keep.Select(k => k.Select(member => (float)((member ? 0.1 : 0.2) + 0.1 * random.NextDouble())).ToArray()).ToArray();
        var o = new ReconstructionOutputs(errors, keep, 1);
        int[] refs = [1, 2, 3, 4, 5];
        var context = new AttackContext(null, 0, refs, 0, o);
        AttackContext With(AttackDefinition d, params (string Key, string Value)[] user) =>
            context with { Settings = d.Settle(user.ToDictionary(u => u.Key, u => AttackRegistry.Parameter(u.Key)!.Parse(u.Value, u.Key))) };

        // Defaults: LiRA's variance is auto (global with 5 references), RMIA's γ = 1 and τ = the references' median error.
        var liraOff = AttackRegistry.Get("recon-lira-offline");
        var expected = ReconstructionAttacks.Lira(o, 0, ReferenceSet.All(refs), TestAttackOptions.Lira(LiraVariance.Global), online: false, "recon-lira-offline");
        Assert.Equal(expected.Scores, liraOff.Run(context).Scores);
        Assert.Equal(1, liraOff.Run(context).Extras["global_variance"]);
        var perSample = liraOff.Run(With(liraOff, ("lira.variance", "per-sample"), ("lira.offline_test", "two-sided")));
        Assert.Equal(ReconstructionAttacks.Lira(o, 0, ReferenceSet.All(refs), TestAttackOptions.Lira(LiraVariance.PerSample, TwoSidedOffline: true),
            online: false, "recon-lira-offline").Scores, perSample.Scores);
        Assert.Equal(0, perSample.Extras["global_variance"]);
        Assert.DoesNotContain(liraOff.Settle(null).Values.Keys, k => k == "signal"); // the statistic is −log L_rec, not lira.signal

        var rmiaOff = AttackRegistry.Get("recon-rmia-offline");
        var set = rmiaOff.Run(With(rmiaOff, ("rmia.gamma", "1.5"), ("rmia.offline_a", "0.6"), ("recon.tau", "0.05"), ("rmia.trimmed_mean", "true")));
        Assert.Equal(ReconstructionAttacks.Rmia(o, 0, ReferenceSet.All(refs), 0.05, TestAttackOptions.Rmia(false, 1.5, 0.6, TrimmedMean: true),
            "recon-rmia-offline").Scores, set.Scores);
        Assert.Equal(0.05, set.Extras["temperature"]);
        Assert.Equal(0.6, set.Extras["offline_a"]);
        Assert.Equal(1, rmiaOff.Run(context).Extras["gamma"]);
        Assert.Equal(ReconstructionAttacks.Temperature(o, refs), rmiaOff.Run(context).Extras["temperature"]);
        // a = auto tunes on one reference with the others, so it needs two.
        Assert.Equal(2, rmiaOff.NeedsOf(rmiaOff.Settle(null)).References);
        Assert.Equal(1, rmiaOff.NeedsOf(With(rmiaOff, ("rmia.offline_a", "0.3")).Settings).References);
        Assert.Equal(AttackInput.Reconstruction, rmiaOff.NeedsOf(rmiaOff.Settle(null)).Input);
    }
}
