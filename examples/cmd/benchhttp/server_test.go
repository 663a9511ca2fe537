package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStatCPUAddsUserAndSystemTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, stat string
		want       time.Duration
	}{
		{name: "a plain command name",
			stat: "28735 (production) S 1 2 3 0 -1 4194304 100 0 0 0 250 37 0 0 20 0 9 0 356988 3133440 389",
			want: 2870 * time.Millisecond},
		{name: "a command name with spaces and parentheses",
			stat: "7 (a (b) c) R 1 2 3 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 1 1",
			want: 30 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseStatCPU(tc.stat)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := parseStatCPU("7 (short) R 1 2")
	require.Error(t, err)
}

func TestParseHWMReadsThePeakInBytes(t *testing.T) {
	t.Parallel()
	got, err := parseHWM("Name:\tproduction\nVmPeak:\t 1300000 kB\nVmHWM:\t    1964 kB\nVmRSS:\t 1500 kB\n")
	require.NoError(t, err)
	assert.Equal(t, int64(1964*1024), got)
	_, err = parseHWM("Name:\tproduction\n")
	require.Error(t, err)
}
