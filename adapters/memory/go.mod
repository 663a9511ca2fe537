module github.com/bharatauth/bharatauth-go/adapters/memory

go 1.26

require (
	github.com/bharatauth/bharatauth-go/ports v0.0.0
	github.com/bharatauth/bharatauth-go/ports/porttest v0.0.0
)

replace (
	github.com/bharatauth/bharatauth-go/ports => ../../ports
	github.com/bharatauth/bharatauth-go/ports/porttest => ../../ports/porttest
)
