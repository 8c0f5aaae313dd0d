// Lists the public API of a built Hcr.MLNet.dll (types and their public and protected members), one per line, for
// before/after comparisons of the public surface. Usage, after building the tests (whose output folder holds every
// dependency): dotnet run .ci/public-api.cs -- tests/Hcr.MLNet.Tests/bin/Debug/net10.0/Hcr.MLNet.dll > api.txt
#:property TreatWarningsAsErrors=false
#:property NoWarn=$(NoWarn);IL2026;IL2075;IL2070;IL3000;CA1303;CA1305;CA1307;CA1310
#:property PublishAot=false

using System.Reflection;
using System.Runtime.Loader;
using System.Linq;

string dll = Path.GetFullPath(args[0]);
string dir = Path.GetDirectoryName(dll)!;
var nuget = Path.Combine(Environment.GetEnvironmentVariable("HOME")!, ".nuget", "packages");
AssemblyLoadContext.Default.Resolving += (ctx, name) =>
{
    string local = Path.Combine(dir, name.Name + ".dll");
    if (File.Exists(local)) return ctx.LoadFromAssemblyPath(local);
    string pkg = Path.Combine(nuget, name.Name!.ToLowerInvariant());
    if (Directory.Exists(pkg))
    {
        var f = Directory.EnumerateFiles(pkg, name.Name + ".dll", SearchOption.AllDirectories).Where(p => p.Contains("/lib/")).OrderByDescending(p => p).FirstOrDefault();
        if (f != null) return ctx.LoadFromAssemblyPath(f);
    }
    return null;
};
var asm = AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
var lines = new List<string>();
const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
foreach (var t in asm.GetExportedTypes().OrderBy(t => t.FullName))
{
    string kind = t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : typeof(Delegate).IsAssignableFrom(t) ? "delegate" : "class";
    lines.Add($"{kind} {t.FullName}");
    foreach (var m in t.GetMembers(all).Where(Visible).OrderBy(m => m.ToString()))
    {
        if (m is MethodInfo mi && mi.IsSpecialName && (mi.Name.StartsWith("get_") || mi.Name.StartsWith("set_") || mi.Name.StartsWith("add_") || mi.Name.StartsWith("remove_"))) continue;
        if (t.IsEnum && m.Name == "value__") continue;
        lines.Add($"  {t.FullName}::{m.MemberType} {m}");
    }
}
foreach (var l in lines) Console.WriteLine(l);
Console.Error.WriteLine($"types: {lines.Count(l => !l.StartsWith("  "))}, members: {lines.Count(l => l.StartsWith("  "))}");

static bool Visible(MemberInfo m) => m switch
{
    MethodBase b => b.IsPublic || b.IsFamily || b.IsFamilyOrAssembly,
    FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
    PropertyInfo p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
    EventInfo e => e.AddMethod is { } a && (a.IsPublic || a.IsFamily),
    Type nt => nt.IsNestedPublic || nt.IsNestedFamily,
    _ => false,
};
