using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;
using Microsoft.Extensions.FileProviders;

namespace MiaLab.Reports.Pages;

/// <summary>Renders an <see cref="HtmlPage"/> with the Liquid templates and the one stylesheet in
/// Templates/ (embedded in this assembly): page.liquid draws the shell and each block kind has its own
/// template. Every value a template outputs is HTML-escaped by <see cref="Encoder"/>; only the
/// stylesheet and the base64 data URIs, which come from this assembly, go out as they are.</summary>
internal static class PageRenderer
{
    /// <summary>The escaping of every value on a page: the markup characters (&amp; &lt; &gt; " ' and +)
    /// become character references; all other text stays UTF-8.</summary>
    public static readonly TextEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private const string TemplateNamespace = "MiaLab.Reports.Pages.Templates";

    private static readonly TemplateOptions Options = CreateOptions();
    private static readonly Lazy<IFluidTemplate> Page = new(() => Parse("page.liquid"));
    private static readonly Lazy<string> Stylesheet = new(() => ReadTemplateFile("page.css"));

    public static string Render(HtmlPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var context = new TemplateContext(Options);
        context.SetValue("page", page);
        context.SetValue("stylesheet", Stylesheet.Value);
        context.SetValue("generator", "MiaLab " + Version);
        context.SetValue("generated", page.GeneratedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        return Page.Value.Render(context, Encoder);
    }

    /// <summary>The version of MiaLab that draws the page.</summary>
    public static string Version => MiaLab.Core.ToolVersion.Text;

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(PageRenderer).Assembly, TemplateNamespace),
            CultureInfo = CultureInfo.InvariantCulture,
        };
        options.MemberAccessStrategy.MemberNameStrategy = MemberNameStrategies.SnakeCase;
        // Only the page model is visible to the templates.
        foreach (Type type in new[]
        {
            typeof(HtmlPage), typeof(PageFact), typeof(PageLocation), typeof(PageSection), typeof(PageBlock),
            typeof(PageParagraph), typeof(PageTable), typeof(TableColumn), typeof(TableRow), typeof(TableCell),
            typeof(PageFigure), typeof(PageGallery), typeof(GalleryItem), typeof(PageTerms), typeof(PageTerm),
        })
        {
            options.MemberAccessStrategy.Register(type);
        }
        return options;
    }

    private static IFluidTemplate Parse(string name)
    {
        var parser = new FluidParser();
        return parser.TryParse(ReadTemplateFile(name), out IFluidTemplate? template, out string? error)
            ? template
            : throw new InvalidOperationException($"Template {name} does not parse: {error}");
    }

    private static string ReadTemplateFile(string name)
    {
        IFileInfo file = Options.FileProvider.GetFileInfo(name);
        if (!file.Exists)
        {
            throw new InvalidOperationException($"Template {name} is not embedded in {typeof(PageRenderer).Assembly.GetName().Name}.");
        }
        using var reader = new StreamReader(file.CreateReadStream());
        return reader.ReadToEnd();
    }
}
