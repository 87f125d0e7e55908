# Front-end to CMake. `make` builds build/memscope and build/libmemscope.so;
# `make demo` and `make check` first install missing Debian packages.
BUILD ?= build
PREFIX ?= /usr/local
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
ifeq ($(CI),true)
CMAKE_FLAGS += -DMEMSCOPE_WERROR=ON
endif

.PHONY: all build deps deps-test demo check install bench clean

all: build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

demo: deps build
	@scripts/demo.sh $(BUILD)

check: deps-test build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: deps build
	@scripts/install-deps.sh bench
	bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
