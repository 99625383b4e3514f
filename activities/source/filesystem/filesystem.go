// Package filesystem is the source of inventory files: a directory of YAML,
// JSON and CSV files that a person writes by hand to tell NetBox what no API
// knows. docs/inventory-files.md describes the format.
package filesystem

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

func init() {
	source.Register(sourceType, New)
}

// Settings are the filesystem source's settings in the config file.
type Settings struct {
	// Path is the inventory directory, relative to the config file's directory.
	Path string `yaml:"path" json:"path"`
	// Recursive reads subdirectories too; the default is true.
	Recursive *bool `yaml:"recursive" json:"recursive"`
	// DefaultSite is the site of devices and locations that name none.
	DefaultSite string `yaml:"default_site" json:"default_site"`
}

// Source reads a directory of inventory files.
type Source struct {
	source.Instance
	opts options
}

// options are the validated settings in the form the source uses.
type options struct {
	dir         string // absolute, or relative to the working directory
	recursive   bool
	defaultSite string
}

// validate checks the settings; baseDir is the directory a relative path
// is taken from.
func (s Settings) validate(baseDir string) (options, error) {
	if strings.TrimSpace(s.Path) == "" {
		return options{}, source.SettingError("path", "the inventory directory is required")
	}
	dir := s.Path
	if !filepath.IsAbs(dir) && baseDir != "" {
		dir = filepath.Join(baseDir, dir)
	}
	return options{
		dir:         filepath.Clean(dir),
		recursive:   s.Recursive == nil || *s.Recursive,
		defaultSite: strings.TrimSpace(s.DefaultSite),
	}, nil
}

// Progress is what the source reports while it reads, in the heartbeat.
type Progress struct {
	FilesDone  int `json:"files_done"`
	FilesTotal int `json:"files_total"`
}

// New builds a filesystem source from its settings.
func New(cfg source.Config, log *zap.Logger) (source.Source, error) {
	inst, o, err := source.NewInstance(cfg, log, Settings{}, Settings.validate)
	if err != nil {
		return nil, err
	}
	return &Source{Instance: inst, opts: o}, nil
}

// Discover reads every inventory file under the directory, in sorted order.
func (s *Source) Discover(ctx context.Context, p source.Progress) (*source.Snapshot, error) {
	files, err := s.files()
	if err != nil {
		return nil, err
	}
	hb := source.NewHeartbeat(p, Progress{FilesTotal: len(files)})
	entries, warnings, err := s.readFiles(ctx, files, hb)
	if err != nil {
		return nil, err
	}
	b := source.NewBuilder(sourceType, s.Name)
	warnings = append(warnings, newResolver(b, s.opts.defaultSite).resolve(entries)...)
	for _, w := range warnings {
		s.Log.Warn("inventory record skipped", zap.String("problem", w))
	}
	snap := b.Snapshot(warnings)
	s.Log.Info("inventory files read", zap.Int("files", len(files)), zap.Int("records", len(snap.Records)), zap.Int("warnings", len(warnings)))
	return snap, nil
}

// readFiles reads and parses the files, as many at once as there are
// processors: parsing is most of a large inventory's discovery, and each
// file is parsed on its own. Entries and warnings come in the files' order,
// whatever order the files are parsed in.
func (s *Source) readFiles(ctx context.Context, files []string, hb *source.Heartbeat[Progress]) ([]*entry, []string, error) {
	type result struct {
		entries  []*entry
		warnings []string
	}
	results := make([]result, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for i := range next {
				results[i].entries, results[i].warnings = s.readOne(files[i])
				hb.Update(func(p *Progress) { p.FilesDone++ })
			}
		})
	}
	var err error
	for i := range files {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, nil, fmt.Errorf("read inventory files: %w", err)
	}
	var entries []*entry
	var warnings []string
	for _, r := range results {
		entries = append(entries, r.entries...)
		warnings = append(warnings, r.warnings...)
	}
	return entries, warnings, nil
}

// readOne reads and parses the file at rel. A file that vanished or cannot
// be read is one warning; the others go on.
func (s *Source) readOne(rel string) ([]*entry, []string) {
	data, err := os.ReadFile(filepath.Join(s.opts.dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: cannot read: %s", rel, err.Error())}
	}
	return readFile(rel, data)
}

// Read parses inventory files held in memory, keyed by their path relative
// to the inventory directory, as Discover would read them from disk. Tools
// that validate inventory files before they are committed use it.
func Read(instance, defaultSite string, files map[string][]byte) ([]inventory.Record, []string) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var entries []*entry
	var warnings []string
	for _, n := range names {
		es, ws := readFile(n, files[n])
		entries = append(entries, es...)
		warnings = append(warnings, ws...)
	}
	b := source.NewBuilder(sourceType, instance)
	warnings = append(warnings, newResolver(b, defaultSite).resolve(entries)...)
	return b.Snapshot(warnings).Records, warnings
}

// inventoryExt are the extensions of the files the source reads.
var inventoryExt = map[string]bool{".yaml": true, ".yml": true, ".json": true, ".csv": true}

// files lists the inventory files under the directory as slash-separated
// relative paths, sorted. Hidden files and directories (editor swap files,
// .git) are skipped.
func (s *Source) files() ([]string, error) {
	info, err := os.Stat(s.opts.dir)
	if err != nil {
		return nil, fmt.Errorf("%w: inventory directory: %w", source.ErrConfig, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%w: inventory directory %s is not a directory", source.ErrConfig, s.opts.dir)
	}
	var out []string
	err = filepath.WalkDir(s.opts.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == s.opts.dir {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if !s.opts.recursive {
				return filepath.SkipDir
			}
			return nil
		}
		if !inventoryExt[strings.ToLower(filepath.Ext(p))] {
			return nil
		}
		rel, err := filepath.Rel(s.opts.dir, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("%w: list inventory files: %w", source.ErrConfig, err)
		}
		return nil, fmt.Errorf("list inventory files: %w", err)
	}
	sort.Strings(out)
	return out, nil
}
