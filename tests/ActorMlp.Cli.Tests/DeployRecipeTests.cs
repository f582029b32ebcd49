using System.Xml.Linq;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Settings;
using Akka.Configuration;
using YamlDotNet.RepresentationModel;
using static ActorMlp.Cli.Tests.DeployRecipes;

namespace ActorMlp.Cli.Tests;

/// <summary>
/// The container recipes (deploy/Dockerfile, deploy/compose.yaml, deploy/k8s/) agree with each other
/// and with the program: no image is built here (no registry for base images), so what can be
/// checked without Docker or a cluster is: every YAML parses, ports, labels, users, volumes and
/// images match across the files, and every flag and key they use is one the program has.
/// </summary>
public sealed class DeployRecipeTests
{
    /// <summary>The ports the recipes use, by the containers' port names; each also a key of the ConfigMap's HOCON.</summary>
    static readonly (string Name, string Key, string Flag)[] Ports =
    [
        ("remoting", "akka.remote.dot-netty.tcp.port", "--port"),
        ("tensor", "actormlp.cluster.tensor-port", "--tensor-port"),
        ("management", "akka.management.http.port", "--management-port"),
        ("metrics", "actormlp.metrics.port", "--metrics-port"),
    ];

    static Config Hocon() => ConfigurationFactory.ParseString(ConfigMapHocon().Text);

    static YamlMappingNode Template(string component) => Assert.Single(PodTemplates(),
        p => p.Template.Text("metadata", "labels", "app.kubernetes.io/component") == component).Template;

    [Fact]
    public void Every_yaml_file_under_deploy_parses_into_mappings()
    {
        string[] expected = ["compose.yaml", .. new[] { "namespace", "rbac", "service", "configmap", "coordinator", "worker", "pdb", "kustomization" }
            .Select(f => Path.Combine("k8s", f + ".yaml"))];
        var files = YamlFiles();
        Assert.Empty(expected.Except(files));
        foreach (var file in files)
            Assert.NotEmpty(Documents(file));
        Assert.True(Manifests().Count >= 11, string.Join("\n", Manifests()));
    }

    [Fact]
    public void Every_manifest_names_its_kind_and_namespace_and_the_kustomization_lists_every_file()
    {
        var kustomization = Documents(Path.Combine("k8s", "kustomization.yaml")).Single().Root;
        string ns = Assert.Single(Manifests(), d => d.Kind == "Namespace").Name!;
        Assert.Equal(ns, kustomization.Text("namespace"));
        foreach (var d in Manifests())
        {
            Assert.False(string.IsNullOrEmpty(d.Root.Text("apiVersion")), $"{d}: no apiVersion");
            Assert.False(string.IsNullOrEmpty(d.Kind), $"{d.File}: a document without kind");
            Assert.False(string.IsNullOrEmpty(d.Name), $"{d}: no metadata.name");
            if (d.Kind != "Namespace") Assert.True(d.Root.Text("metadata", "namespace") == ns, $"{d}: not in namespace {ns}");
        }
        var listed = ((YamlSequenceNode)kustomization.Path("resources")!).Children.Select(c => ((YamlScalarNode)c).Value!).Order().ToList();
        var files = YamlFiles().Where(f => f.StartsWith("k8s", StringComparison.Ordinal) && !f.EndsWith("kustomization.yaml", StringComparison.Ordinal))
            .Select(f => Path.GetFileName(f)).Order().ToList();
        Assert.Equal(files, listed);
    }

    [Fact]
    public void Container_and_service_ports_agree_with_the_dockerfile_and_the_hocon()
    {
        var exposed = Exposed(Dockerfile()).Order().ToArray();
        var hocon = Hocon();
        var byName = Ports.ToDictionary(p => p.Name, p => hocon.GetInt(p.Key));
        Assert.Equal(exposed, byName.Values.Order().ToArray());

        var containerPorts = new Dictionary<string, int>();
        foreach (var (workload, template) in PodTemplates())
            foreach (var container in Containers(template))
                foreach (YamlMappingNode port in ((YamlSequenceNode)container.Path("ports")!).Children)
                {
                    string name = port.Text("name")!;
                    int number = int.Parse(port.Text("containerPort")!);
                    Assert.True(byName.TryGetValue(name, out int configured), $"{workload}: port {name} is none of {string.Join(", ", byName.Keys)}");
                    Assert.True(configured == number, $"{workload}: port {name} is {number}, the ConfigMap's HOCON sets {configured}");
                    containerPorts[name] = number;
                }
        Assert.Equal(byName.Keys.Order(), containerPorts.Keys.Order());

        // The coordinator serves all four; a worker serves no metrics.
        Assert.Equal(byName.Keys.Order(), PortNames(Template("coordinator")).Order());
        Assert.Equal(["management", "remoting", "tensor"], PortNames(Template("worker")).Order());

        var service = Single("Service");
        foreach (YamlMappingNode port in ((YamlSequenceNode)service.Root.Path("spec", "ports")!).Children)
        {
            string target = port.Text("targetPort")!;
            Assert.True(containerPorts.TryGetValue(target, out int number), $"Service port {port.Text("name")} targets {target}, which no container names");
            Assert.Equal(number, int.Parse(port.Text("port")!));
        }
        Assert.Equal(containerPorts.Keys.Order(), ((YamlSequenceNode)service.Root.Path("spec", "ports")!).Children.Select(p => p.Text("name")!).Order());

        foreach (var (workload, template) in PodTemplates())
            foreach (var container in Containers(template))
            {
                var names = PortNames(template);
                Assert.Contains(container.Text("readinessProbe", "httpGet", "port") ?? container.Text("readinessProbe", "tcpSocket", "port"), names);
                Assert.Contains(container.Text("livenessProbe", "httpGet", "port") ?? container.Text("livenessProbe", "tcpSocket", "port"), names);
            }
        Assert.Equal(byName["metrics"].ToString(), Template("coordinator").Text("metadata", "annotations", "prometheus.io/port"));
    }

    static IEnumerable<string> PortNames(YamlMappingNode template) => Containers(template)
        .SelectMany(c => ((YamlSequenceNode)c.Path("ports")!).Children.Select(p => p.Text("name")!));

    [Fact]
    public void Compose_services_use_the_dockerfile_ports_and_reach_the_coordinator_by_its_name()
    {
        var exposed = Exposed(Dockerfile()).Order().ToArray();
        var commands = CommandLines().Where(c => c.Where.StartsWith("compose.yaml", StringComparison.Ordinal)).ToList();
        var coordinator = Assert.Single(commands, c => c.Command == "coordinator");
        var worker = Assert.Single(commands, c => c.Command == "worker");

        Assert.Equal(exposed, Ports.Select(p => int.Parse(coordinator.Value(p.Flag) ?? "-1")).Order().ToArray());
        foreach (var p in Ports.Where(p => p.Name != "metrics"))
            Assert.Equal(coordinator.Value(p.Flag), worker.Value(p.Flag));

        // Every node probes the coordinator's Akka.Management endpoint, by the name the coordinator advertises.
        string host = coordinator.Value("--public-hostname")!;
        var services = (YamlMappingNode)Compose().Path("services")!;
        Assert.Contains(new YamlScalarNode(host), services.Children.Keys);
        foreach (var c in commands)
            Assert.Equal($"{host}:{coordinator.Value("--management-port")}", c.Value("--discovery-endpoints"));
        Assert.Equal("from-coordinator", worker.Value("--data"));

        // The metrics are published on the host's loopback from the port the coordinator serves them on.
        string published = Interpolate(((YamlScalarNode)Assert.Single(((YamlSequenceNode)services.Path(host, "ports")!).Children)).Value!);
        Assert.Equal(coordinator.Value("--metrics-port"), published.Split(':')[^1]);
        Assert.StartsWith("127.0.0.1:", published);

        // Volumes are mounted where the image declares them; the run folders' volume where runs go.
        var declared = FinalStage(Dockerfile()).Where(i => i.Keyword == "VOLUME").SelectMany(i => ExecForm(i.Arguments)).ToList();
        var mounts = ((YamlSequenceNode)services.Path(host, "volumes")!).Children.Select(v => ((YamlScalarNode)v).Value!.Split(':')).ToList();
        Assert.Contains(mounts, m => m[0] == "runs" && m[1] == "/runs");
        Assert.All(mounts, m => Assert.Contains(m[1], declared));
        Assert.Contains(new YamlScalarNode("runs"), ((YamlMappingNode)Compose().Path("volumes")!).Children.Keys);
    }

    [Fact]
    public void Each_coordinator_serves_metrics_on_every_interface_of_its_container()
    {
        // A container's own address is not known when the recipe is written, and a scraper names the
        // coordinator by a name (coordinator:9464) or a pod IP: the endpoint listens on 0.0.0.0.
        var compose = CommandLines().Single(c => c.Command == "coordinator" && c.Value("--metrics-port") is not null);
        Assert.Equal("0.0.0.0", compose.Value("--metrics-host"));
        Assert.Equal("9464", compose.Value("--metrics-port"));
        Assert.Equal("0.0.0.0", Hocon().GetString("actormlp.metrics.host"));
        Assert.Equal(9464, Hocon().GetInt("actormlp.metrics.port"));
        Assert.DoesNotContain(CommandLines(), c => c.Command == "coordinator" && c.Value("--metrics-host") is { } host && host != "0.0.0.0");
    }

    [Fact]
    public void The_discovery_selector_and_the_service_select_every_node_and_each_budget_its_own()
    {
        var hocon = Hocon();
        string selector = hocon.GetString("actormlp.discovery.kubernetes.pod-label-selector");
        var coordinator = Labels(Template("coordinator").Path("metadata", "labels"));
        var worker = Labels(Template("worker").Path("metadata", "labels"));
        Assert.True(Selects(selector, coordinator), $"'{selector}' does not select the coordinator's pod");
        Assert.True(Selects(selector, worker), $"'{selector}' does not select the workers' pods");

        var service = Single("Service");
        Assert.Equal(hocon.GetString("actormlp.discovery.service-name"), service.Name);
        Assert.Equal("None", service.Root.Text("spec", "clusterIP"));
        var serviceSelector = Labels(service.Root.Path("spec", "selector"));
        Assert.NotEmpty(serviceSelector);
        Assert.All(serviceSelector, l => Assert.True(coordinator.Contains(l) && worker.Contains(l), $"the Service selects {l.Key}={l.Value}, which a node lacks"));

        var budgets = Manifests().Where(d => d.Kind == "PodDisruptionBudget").ToList();
        Assert.Equal(2, budgets.Count);
        foreach (var (own, other) in new[] { (coordinator, worker), (worker, coordinator) })
        {
            var budget = Assert.Single(budgets, b => Labels(b.Root.Path("spec", "selector", "matchLabels")).All(own.Contains));
            Assert.False(Labels(budget.Root.Path("spec", "selector", "matchLabels")).All(other.Contains), $"{budget} selects both kinds of node");
        }

        // Step 0 waits for every worker of the Job; a drain may take one worker at a time.
        var workers = Assert.Single(PodTemplates(), p => p.Template.Text("metadata", "labels", "app.kubernetes.io/component") == "worker").Workload;
        Assert.Equal("Job", workers.Kind);
        int parallelism = int.Parse(workers.Root.Text("spec", "parallelism")!);
        var k8sCoordinator = Assert.Single(CommandLines(), c => c.Where.StartsWith("k8s", StringComparison.Ordinal) && c.Command == "coordinator");
        Assert.Equal(parallelism.ToString(), k8sCoordinator.Value("--min-workers"));
        var workerBudget = budgets.Single(b => Labels(b.Root.Path("spec", "selector", "matchLabels")).All(worker.Contains));
        Assert.Equal(parallelism - 1, int.Parse(workerBudget.Root.Text("spec", "minAvailable")!));
    }

    [Fact]
    public void Pods_run_the_built_image_as_its_user_with_a_service_account_that_may_list_pods()
    {
        var final = FinalStage(Dockerfile());
        string user = Assert.Single(final, i => i.Keyword == "USER").Arguments.Split(':')[0];
        Assert.True(int.TryParse(user, out int uid) && uid != 0, $"USER {user}: Kubernetes' runAsNonRoot needs a numeric user other than root");

        string account = Single("ServiceAccount").Name!;
        var role = Single("Role");
        var binding = Single("RoleBinding");
        Assert.Equal(role.Name, binding.Root.Text("roleRef", "name"));
        var subject = (YamlMappingNode)Assert.Single(((YamlSequenceNode)binding.Root.Path("subjects")!).Children);
        Assert.Equal(("ServiceAccount", account), (subject.Text("kind"), subject.Text("name")));
        var rule = (YamlMappingNode)Assert.Single(((YamlSequenceNode)role.Root.Path("rules")!).Children);
        Assert.Equal(["pods"], Strings(rule.Path("resources")));
        Assert.Equal(["get", "list", "watch"], Strings(rule.Path("verbs")).Order());

        // The image compose builds is the one the pods run, and the one kustomization.yaml renames.
        string image = ((YamlMappingNode)Compose().Path("services")!).Children.Values.Select(s => s.Text("image")!).Distinct().Single();
        var kustomization = Documents(Path.Combine("k8s", "kustomization.yaml")).Single().Root;
        var renamed = (YamlMappingNode)Assert.Single(((YamlSequenceNode)kustomization.Path("images")!).Children);
        Assert.Equal(image, $"{renamed.Text("name")}:{renamed.Text("newTag")}");

        string cache = Assert.Single(final, i => i.Keyword == "ENV" && i.Arguments.StartsWith("ACTORMLP_CACHE=", StringComparison.Ordinal)).Arguments.Split('=')[1];
        foreach (var (workload, template) in PodTemplates())
        {
            Assert.Equal(account, template.Text("spec", "serviceAccountName"));
            Assert.Equal(uid.ToString(), template.Text("spec", "securityContext", "runAsUser"));
            Assert.Equal("true", template.Text("spec", "securityContext", "runAsNonRoot"));
            foreach (var container in Containers(template))
            {
                Assert.Equal(image, container.Text("image"));
                // The root file system is read-only: the cache (ACTORMLP_CACHE) and /tmp must be volumes.
                Assert.Equal("true", container.Text("securityContext", "readOnlyRootFilesystem"));
                var mounts = ((YamlSequenceNode)container.Path("volumeMounts")!).Children.Select(m => m.Text("mountPath")).ToList();
                Assert.Contains(cache, mounts);
                Assert.Contains("/tmp", mounts);
                Assert.Contains(ConfigMountPath, mounts);
                // Each pod advertises its own IP, from the downward API.
                var env = ((YamlSequenceNode)container.Path("env")!).Children.Cast<YamlMappingNode>();
                Assert.Contains(env, e => e.Text("name") == "POD_IP" && e.Text("valueFrom", "fieldRef", "fieldPath") == "status.podIP");
            }
        }
        Assert.Contains("/runs", Containers(Template("coordinator")).SelectMany(c => ((YamlSequenceNode)c.Path("volumeMounts")!).Children.Select(m => m.Text("mountPath"))));
    }

    static List<string> Strings(YamlNode? node) => ((YamlSequenceNode)node!).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    [Fact]
    public void Every_flag_of_the_recipes_command_lines_is_a_flag_of_its_command()
    {
        var commands = CommandLines();
        Assert.Equal(4, commands.Count);
        Assert.Equal(["coordinator", "coordinator", "worker", "worker"], commands.Select(c => c.Command).Order());
        var known = OptionTable.NodeCommands.Select(o => o.Flag).ToHashSet();
        var unknown = commands.SelectMany(c => c.Flags.Where(f => !known.Contains(f)).Select(f => $"{c}: {f}")).Distinct().ToList();
        Assert.True(unknown.Count == 0, "flags that OptionTable.NodeCommands lacks:\n" + string.Join("\n", unknown));

        // The command lines as the program reads them: its parser, its configuration loader (the
        // ConfigMap's HOCON as the pods have it) and its typed settings.
        string folder = Directory.CreateTempSubdirectory("actormlp-recipes-").FullName;
        try
        {
            var (name, text) = ConfigMapHocon();
            string hocon = Path.Combine(folder, name);
            File.WriteAllText(hocon, text);
            foreach (var c in commands)
            {
                var words = c.Words.Select(w => w.Replace($"{ConfigMountPath}/{name}", hocon).Replace("$(POD_IP)", "10.0.0.2")).ToList();
                var parsed = ArgumentParser.Parse(c.Command, words, OptionTable.NodeCommands);
                var config = ConfigLoader.Load(parsed, OptionTable.NodeCommands);
                TrainSettings.From(config);
            }
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void The_configmap_hocon_sets_only_keys_the_program_knows()
    {
        var reference = ConfigLoader.Reference();
        var ours = Leaves(reference).ToHashSet();
        var akka = Leaves(ConfigurationFactory.Default())
            .Concat(Leaves(EmbeddedConfig(typeof(Akka.Remote.RemoteSettings), "Akka.Remote.Configuration.Remote.conf")))
            .Concat(Leaves(EmbeddedConfig(typeof(Akka.Cluster.Cluster), "Akka.Cluster.Configuration.Cluster.conf"))).ToHashSet();
        var flagged = typeof(OptionTable).GetFields().Where(f => f.FieldType == typeof(Option[]))
            .SelectMany(f => (Option[])f.GetValue(null)!).Select(o => o.Key).OfType<string>().ToHashSet();

        var keys = Leaves(Hocon()).ToList();
        Assert.Contains("actormlp.discovery.method", keys);
        var unknown = keys.Where(k => k.StartsWith("actormlp.", StringComparison.Ordinal)
            ? !ours.Contains(k)
            : !ours.Contains(k) && !akka.Contains(k) && !flagged.Contains(k)).ToList();
        Assert.True(unknown.Count == 0, "keys that neither hocon/reference.conf, Akka's defaults nor a flag of OptionTable define:\n" + string.Join("\n", unknown));
    }

    /// <summary>An Akka module's reference configuration, as its assembly carries it.</summary>
    static Config EmbeddedConfig(Type type, string resource)
    {
        using var stream = type.Assembly.GetManifestResourceStream(resource) ?? throw new InvalidOperationException($"{type.Assembly.GetName().Name} has no {resource}");
        return ConfigurationFactory.ParseString(new StreamReader(stream).ReadToEnd());
    }

    [Fact]
    public void The_image_restores_from_every_project_file_the_app_builds_from()
    {
        var build = Dockerfile().TakeWhile(i => !(i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal))).ToList();
        Assert.NotEqual(Dockerfile().Count, build.Count);
        // Files copied to the same place under the build's WORKDIR as in the repository.
        var copied = new HashSet<string>();
        foreach (var copy in build.Where(i => i.Keyword == "COPY"))
        {
            var words = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string target = words[^1] == "./" ? "" : words[^1];
            foreach (var source in words[..^1])
                if (source[..(source.LastIndexOf('/') + 1)] == target) copied.Add(source);
        }

        var needed = new List<string> { "global.json", "Directory.Build.props", "Directory.Packages.props" };
        needed.AddRange(Directory.GetFiles(Repository.Root).Select(Path.GetFileName).OfType<string>()
            .Where(f => f.Equals("nuget.config", StringComparison.OrdinalIgnoreCase)));
        var pending = new Queue<string>(["src/ActorMlp.Cli/ActorMlp.Cli.csproj"]);
        while (pending.TryDequeue(out var project))
        {
            if (needed.Contains(project)) continue;
            needed.Add(project);
            foreach (var reference in XDocument.Load(Path.Combine(Repository.Root, project)).Descendants("ProjectReference"))
                pending.Enqueue(Path.GetRelativePath(Repository.Root,
                    Path.GetFullPath(Path.Combine(Repository.Root, Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value.Replace('\\', '/')))));
        }
        Assert.True(needed.Count >= 7, string.Join(", ", needed));
        Assert.Empty(needed.Except(copied));

        var ignored = File.ReadAllLines(Path.Combine(Repository.Root, ".dockerignore")).Select(l => l.Trim()).ToHashSet();
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
    }
}
