package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

var urlRE = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/auth`)

// quickstart is a running quickstart on a free port: its base URL, what it
// printed (logs and emails), and how to stop it.
type quickstart struct {
	base string
	out  *porttest.Buffer
	stop func() error // cancels run and waits for it to return
}

// startQuickstart runs the quickstart as `go run` would, on 127.0.0.1:0.
func startQuickstart(t *testing.T) *quickstart {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	q := &quickstart{out: &porttest.Buffer{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0", q.out) }()
	q.stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			t.Fatal("the quickstart did not shut down")
			return nil
		}
	}
	t.Cleanup(func() { cancel() })
	require.Eventually(t, func() bool {
		m := urlRE.FindStringSubmatch(q.out.String())
		if m != nil {
			q.base = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "the server never said where it listens: %s", q.out.String())
	return q
}

// walk is one browser tab on the quickstart.
type walk struct {
	t         *testing.T
	q         *quickstart // whose printed emails mail reads; nil for a page of another server
	ctx       context.Context
	shots     string // the test's artifact folder
	downloads string
	n         int
}

// stepTimeout bounds every step: a page that never shows what it should
// fails the test with the step that waited.
const stepTimeout = 20 * time.Second

// newWalk starts chromium headless with a fresh profile.
func newWalk(t *testing.T) *walk {
	t.Helper()
	path, err := exec.LookPath("chromium")
	require.NoError(t, err, "this test drives Debian's chromium: apt-get install -y chromium (.ci/run installs it)")
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)), "chromium did not start")
	w := &walk{t: t, ctx: ctx, shots: t.ArtifactDir(), downloads: t.TempDir()}
	_, err = chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: w.downloads})
	require.NoError(t, err)
	return w
}

// download waits for the browser to finish saving name, and returns it.
func (w *walk) download(name string) []byte {
	w.t.Helper()
	var data []byte
	require.Eventually(w.t, func() bool {
		var err error
		data, err = os.ReadFile(filepath.Join(w.downloads, name))
		return err == nil && len(data) > 0
	}, stepTimeout, 20*time.Millisecond, "%s was never downloaded", name)
	return data
}

func (w *walk) bounded() context.Context {
	ctx, cancel := context.WithTimeout(w.ctx, stepTimeout)
	w.t.Cleanup(cancel)
	return ctx
}

func (w *walk) do(steps ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	require.NoError(w.t, chromedp.Do(w.bounded(), steps...))
}

func evalJS[T any](w *walk, js string) T {
	w.t.Helper()
	v, err := chromedp.Run(w.bounded(), chromedp.Evaluate[T](js))
	require.NoError(w.t, err, js)
	return v
}

func (w *walk) open(url string) { w.t.Helper(); w.do(chromedp.Navigate(url)) }

func (w *walk) click(sel string) { w.t.Helper(); w.do(chromedp.Click(chromedp.CSS(sel))) }

func (w *walk) text(sel string) string {
	w.t.Helper()
	s, err := chromedp.Run(w.bounded(), chromedp.Text(chromedp.CSS(sel)))
	require.NoError(w.t, err, sel)
	return s
}

// page is what the page shows, for failure messages.
func (w *walk) page() string {
	s, err := chromedp.Run(w.bounded(), chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	if err != nil {
		return err.Error()
	}
	return s
}

// waitText waits until sel's text contains want.
func (w *walk) waitText(sel, want string) {
	w.t.Helper()
	_, err := chromedp.Run(w.bounded(), chromedp.Poll[bool](fmt.Sprintf(
		`(document.querySelector(%q)?.textContent || "").includes(%q)`, sel, want), chromedp.WithPollingTimeout(stepTimeout)))
	require.NoError(w.t, err, "%s never said %q; it says %q", sel, want, w.text(sel))
}

// view waits until the view is the one shown and its heading has the focus,
// so a screen reader announces where the person is.
func (w *walk) view(name string) { w.t.Helper(); w.viewFocused(name, "#view-"+name+" h1") }

// viewFocused waits until the view is shown with focus on the element of sel.
func (w *walk) viewFocused(name, sel string) {
	w.t.Helper()
	_, err := chromedp.Run(w.bounded(), chromedp.WaitVisible(chromedp.CSS("#view-"+name)))
	require.NoError(w.t, err, "%s is not shown; the page says: %s", name, w.page())
	_, err = chromedp.Run(w.bounded(), chromedp.Poll[bool](fmt.Sprintf(
		`document.activeElement === document.querySelector(%q)`, sel), chromedp.WithPollingTimeout(stepTimeout)))
	require.NoError(w.t, err, "%s never got the focus in %s", sel, name)
}

// language picks a language as a person does, from the select.
func (w *walk) language(lang string) {
	w.t.Helper()
	evalJS[bool](w, fmt.Sprintf(`(() => { const s = document.querySelector("#lang"); s.value = %q;
		s.dispatchEvent(new Event("change")); return true })()`, lang))
	assert.Equal(w.t, lang, evalJS[string](w, `document.documentElement.lang`))
}

// shot photographs the page at 360 px and 1280 px wide, and checks what
// must hold at every step: nothing wider than a 360 px phone, and a label on
// every visible field.
func (w *walk) shot(name string) {
	w.t.Helper()
	w.n++
	for _, width := range []int64{360, 1280} {
		w.do(chromedp.EmulateViewport(width, 800))
		png, err := chromedp.Run(w.bounded(), chromedp.FullScreenshot(100))
		require.NoError(w.t, err)
		file := filepath.Join(w.shots, fmt.Sprintf("%02d-%s-%dpx.png", w.n, name, width))
		require.NoError(w.t, os.WriteFile(file, png, 0o644))
		if width == 360 {
			assert.LessOrEqual(w.t, evalJS[int](w, `document.documentElement.scrollWidth`), 360, "%s: wider than a phone", name)
		}
	}
	unlabelled := evalJS[[]string](w, `[...document.querySelectorAll("input, select, textarea")]
		.filter(el => el.offsetParent !== null && el.labels.length === 0 && !el.closest("label")).map(el => el.id || el.name)`)
	assert.Empty(w.t, unlabelled, "%s: fields without a label", name)
	unnamed := evalJS[[]string](w, `[...document.querySelectorAll("button, a[href]")]
		.filter(el => el.offsetParent !== null && el.textContent.trim() === "").map(el => el.outerHTML)`)
	assert.Empty(w.t, unnamed, "%s: buttons or links without a name", name)
}

// mails returns the emails printed for to whose subject contains subject,
// oldest first. Emails go out in the background, so another kind may land
// between two of these: the subject keeps them apart.
func (w *walk) mails(to, subject string) []string {
	var out []string
	for _, block := range strings.Split(w.q.out.String(), "----- email -----\n")[1:] {
		head, _, _ := strings.Cut(block, "\n\n")
		if strings.Contains(head, "To: "+to+"\n") && strings.Contains(head, subject) {
			out = append(out, block)
		}
	}
	return out
}

func (w *walk) mailCount(to, subject string) int { return len(w.mails(to, subject)) }

// mailAfter waits for an email to to, with subject in its subject, beyond the
// first n such, in which re matches, and returns re's first group in the
// newest of them.
func (w *walk) mailAfter(to, subject string, n int, re *regexp.Regexp) string {
	w.t.Helper()
	var got []string
	require.Eventually(w.t, func() bool {
		m := w.mails(to, subject)
		for i := len(m) - 1; i >= n; i-- {
			if got = re.FindStringSubmatch(m[i]); got != nil {
				return true
			}
		}
		return false
	}, stepTimeout, 20*time.Millisecond, "no email to %s about %q matching %s: %s", to, subject, re, w.q.out.String())
	return got[1]
}

// smsCodeRE finds the code of a printed SMS: its text starts with it.
var smsCodeRE = regexp.MustCompile(`(?m)^(\d{6}) `)

// texts returns the SMS the quickstart printed to the number to (E.164),
// oldest first, each from its header to its last line.
func texts(out string, to string) []string {
	var got []string
	for _, block := range strings.Split(out, "----- sms -----\n")[1:] {
		block, _, _ = strings.Cut(block, "----- end -----\n")
		if strings.HasPrefix(block, "To: "+to+"\n") {
			got = append(got, block)
		}
	}
	return got
}

// textedCode waits for an SMS to to beyond the first n printed to it, and
// returns the code of the newest.
func textedCode(t *testing.T, q *quickstart, to string, n int) string {
	t.Helper()
	var code []string
	require.Eventually(t, func() bool {
		m := texts(q.out.String(), to)
		if len(m) <= n {
			return false
		}
		code = smsCodeRE.FindStringSubmatch(m[len(m)-1][strings.Index(m[len(m)-1], "\n\n")+2:])
		return code != nil
	}, stepTimeout, 20*time.Millisecond, "no SMS to %s after the first %d: %s", to, n, q.out.String())
	return code[1]
}
