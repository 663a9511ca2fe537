module github.com/bharatauth/bharatauth-go/transport/http

go 1.26

require (
	github.com/bharatauth/bharatauth-go/ports v0.0.0
	github.com/bharatauth/bharatauth-go/core v0.0.0
	github.com/bharatauth/bharatauth-go/adapters/memory v0.0.0
)

replace (
	github.com/bharatauth/bharatauth-go/ports => ../../ports
	github.com/bharatauth/bharatauth-go/core => ../../core
	github.com/bharatauth/bharatauth-go/adapters/memory => ../../adapters/memory
)
