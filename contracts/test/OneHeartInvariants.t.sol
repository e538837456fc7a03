// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LedgerAnchor} from "../LedgerAnchor.sol";
import {RewardDistributor} from "../RewardDistributor.sol";
import {HeartToken} from "../HeartToken.sol";
import {SponsorPool} from "../SponsorPool.sol";
import {ISponsorPool} from "../interfaces/ISponsorPool.sol";
import {IHeartToken} from "../interfaces/IHeartToken.sol";
import {TestStablecoin} from "../dev/TestStablecoin.sol";

/// Minimal cheatcode interface (forge-std is not available).
interface Vm {
    function prank(address) external;
    function assume(bool) external pure;
}

/// Random fund/disburse sequences for the SponsorPool invariant; it is the pool's treasurer.
contract SponsorPoolHandler {
    SponsorPool public immutable pool;
    TestStablecoin public immutable stable;

    constructor(SponsorPool pool_, TestStablecoin stable_) {
        pool = pool_;
        stable = stable_;
        stable_.approve(address(pool_), type(uint256).max);
    }

    function fund(uint8 campaign, uint64 amount) external {
        if (amount == 0) return;
        stable.mint(address(this), amount);
        pool.fund(bytes32(uint256(campaign % 3)), bytes32(0), amount);
    }

    function disburse(uint8 campaign, uint8 bucket, uint16 shareBps) external {
        bytes32 id = bytes32(uint256(campaign % 3));
        ISponsorPool.Bucket b = ISponsorPool.Bucket(bucket % 3);
        uint256 amount = (pool.bucketBalance(id, b) * (shareBps % 10_001)) / 10_000;
        if (amount == 0) return;
        pool.disburse(b, id, address(0xBEEF), amount, id);
    }

    function setSplit(uint16 local, uint16 national) external {
        uint16 l = local % 10_001;
        uint16 n = national % (10_001 - l);
        pool.setSplit(l, n, 10_000 - l - n);
    }
}

contract SponsorPoolInvariantTest {
    SponsorPool internal pool;
    SponsorPoolHandler internal handler;

    function setUp() public {
        TestStablecoin stable = new TestStablecoin();
        // Predict the handler address so it can receive the treasurer and governor roles at construction.
        address predicted = _predict(address(this), 3); // nonces: 1 stable, 2 pool, 3 handler
        pool = new SponsorPool(stable, address(this), predicted, predicted, address(this));
        handler = new SponsorPoolHandler(pool, stable);
        require(address(handler) == predicted, "prediction");
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// forge-config: default.invariant.runs = 64
    /// forge-config: default.invariant.depth = 32
    function invariant_bucketsPlusDisbursedEqualsFunded() public view {
        (uint256 l, uint256 n, uint256 g, uint256 balance, bool solvent) = pool.solvency();
        require(l + n + g + pool.totalDisbursed() == pool.totalFunded(), "buckets + disbursed != funded");
        require(balance == l + n + g && solvent, "insolvent");
    }

    function testFuzz_splitAlwaysSumsToDeposit(uint64 amount, uint16 local, uint16 national) public {
        vm().assume(amount > 0);
        handler.setSplit(local, national);
        handler.fund(0, amount);
        require(pool.totalFunded() == amount, "funded");
        (uint256 l, uint256 n, uint256 g,,) = pool.solvency();
        require(l + n + g == amount, "split leaks");
    }

    function vm() internal pure returns (Vm) {
        return Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    }

    /// @dev CREATE address of `deployer` at `nonce` (nonce < 128).
    function _predict(address deployer, uint8 nonce) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xd6), bytes1(0x94), deployer, bytes1(nonce))))));
    }
}

contract RewardDistributorFuzzTest {
    LedgerAnchor internal anchor;
    RewardDistributor internal distributor;
    HeartToken internal token;
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);

    function setUp() public {
        anchor = new LedgerAnchor(address(this), address(this), address(this));
        distributor = new RewardDistributor(anchor, address(this));
        token = HeartToken(address(distributor.token()));
    }

    /// Two epochs of cumulative rewards, a redemption in between: claimed never exceeds the latest cumulative
    /// amount and total supply == claims - burns.
    function testFuzz_claimsAndBurnsConserveSupply(uint96 first, uint96 increase, uint96 bobAmount, uint96 burn)
        public
    {
        vm().assume(first > 0 && increase > 0 && bobAmount > 0);
        _anchor(1, first, bobAmount);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = distributor.leafHash(BOB, bobAmount);
        distributor.claim(ALICE, first, 1, proof);
        require(distributor.claimed(ALICE) == first, "claimed 1");

        uint256 burnt = uint256(burn) % (uint256(first) + 1);
        if (burnt > 0) {
            vm().prank(ALICE);
            token.redeem(burnt, keccak256(abi.encode(burn)));
        }
        uint256 cumulative = uint256(first) + increase;
        _anchor(2, cumulative, bobAmount);
        distributor.claim(ALICE, cumulative, 2, proof);
        proof[0] = distributor.leafHash(ALICE, cumulative);
        distributor.claim(BOB, bobAmount, 2, proof);

        require(distributor.claimed(ALICE) == cumulative, "claimed 2");
        require(distributor.claimed(BOB) == bobAmount, "claimed bob");
        require(token.totalSupply() == cumulative + bobAmount - burnt, "supply != claims - burns");
        require(token.balanceOf(ALICE) == cumulative - burnt, "alice balance");

        // Replaying or lowering never mints more.
        try distributor.claim(ALICE, cumulative, 2, new bytes32[](0)) {
            revert("double claim");
        } catch {}
        require(token.totalSupply() == cumulative + bobAmount - burnt, "supply changed");
    }

    function testFuzz_onlyTheDistributorMints(address caller, uint256 amount) public {
        vm().assume(caller != address(distributor));
        vm().prank(caller);
        try token.mint(caller, amount) {
            revert("minted");
        } catch {}
        require(token.totalSupply() == 0, "supply");
    }

    function _anchor(uint64 epoch, uint256 aliceAmount, uint256 bobAmount) internal {
        bytes32 a = distributor.leafHash(ALICE, aliceAmount);
        bytes32 b = distributor.leafHash(BOB, bobAmount);
        bytes32 root = a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
        // The log does not grow between these epochs: same size and root, empty consistency proof.
        anchor.anchorEpoch(epoch, 1, sha256(hex"00"), root, "uri", bytes32(0), new bytes32[](0));
    }

    function vm() internal pure returns (Vm) {
        return Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    }
}
