// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ISponsorPool} from "./interfaces/ISponsorPool.sol";

/**
 * @title SponsorPool
 * @notice Holds sponsor deposits in one stablecoin, split per campaign into LOCAL/NATIONAL/GLOBAL buckets
 * by basis points; the treasurer disburses from a bucket, which can never go below zero.
 * @dev Rounding: LOCAL and NATIONAL shares round down, GLOBAL takes the remainder, so the three parts
 * always sum to the deposit. The stablecoin must not charge transfer fees.
 */
contract SponsorPool is AccessControl, Pausable, ReentrancyGuard, ISponsorPool {
    using SafeERC20 for IERC20;

    /// @notice Role allowed to disburse.
    bytes32 public constant TREASURER_ROLE = keccak256("TREASURER_ROLE");
    /// @notice Role allowed to change the split.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Role allowed to pause and unpause.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    uint256 private constant _BPS = 10_000;

    IERC20 private immutable _stablecoin;
    Split private _split;
    uint256 private _totalFunded;
    uint256 private _totalDisbursed;
    uint256[3] private _bucketTotals;
    mapping(bytes32 campaignId => uint256[3]) private _campaignBuckets;
    mapping(bytes32 campaignId => uint256) private _campaignTotals;
    mapping(address sponsor => uint256) private _sponsorTotals;

    /// @param stablecoin_ Deposit token.
    /// @param admin Receives DEFAULT_ADMIN_ROLE.
    /// @param treasurer Receives TREASURER_ROLE.
    /// @param governor Receives GOVERNOR_ROLE.
    /// @param pauser Receives PAUSER_ROLE.
    constructor(IERC20 stablecoin_, address admin, address treasurer, address governor, address pauser) {
        if (
            address(stablecoin_) == address(0) || admin == address(0) || treasurer == address(0)
                || governor == address(0) || pauser == address(0)
        ) revert HeartZeroAddress();
        _stablecoin = stablecoin_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(TREASURER_ROLE, treasurer);
        _grantRole(GOVERNOR_ROLE, governor);
        _grantRole(PAUSER_ROLE, pauser);
        _setSplit(6000, 3000, 1000);
    }

    /// @inheritdoc ISponsorPool
    function fund(bytes32 campaignId, bytes32 zoneId, uint256 amount) external nonReentrant whenNotPaused {
        _fund(campaignId, zoneId, amount);
    }

    /// @inheritdoc ISponsorPool
    function fundWithPermit(
        bytes32 campaignId,
        bytes32 zoneId,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant whenNotPaused {
        // A front-run permit makes this call fail although the allowance is in place: ignore the failure
        // and let transferFrom decide.
        try IERC20Permit(address(_stablecoin)).permit(_msgSender(), address(this), amount, deadline, v, r, s) {}
            catch {}
        _fund(campaignId, zoneId, amount);
    }

    /// @inheritdoc ISponsorPool
    function disburse(Bucket bucket, bytes32 campaignId, address to, uint256 amount, bytes32 paymentReference)
        external
        onlyRole(TREASURER_ROLE)
        nonReentrant
        whenNotPaused
    {
        if (amount == 0) revert HeartZeroAmount();
        if (to == address(0)) revert HeartZeroAddress();
        uint256 index = uint256(bucket);
        uint256 balance = _campaignBuckets[campaignId][index];
        if (amount > balance) revert HeartInsufficientBucket(bucket, campaignId, balance, amount);
        // Cannot underflow: amount <= balance <= bucket total (every campaign bucket is part of its total).
        unchecked {
            _campaignBuckets[campaignId][index] = balance - amount;
            _bucketTotals[index] -= amount;
        }
        _totalDisbursed += amount;
        emit Disbursed(bucket, campaignId, to, amount, paymentReference);
        _stablecoin.safeTransfer(to, amount);
    }

    /// @inheritdoc ISponsorPool
    function setSplit(uint16 local, uint16 national, uint16 global) external onlyRole(GOVERNOR_ROLE) {
        _setSplit(local, national, global);
    }

    /// @inheritdoc ISponsorPool
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc ISponsorPool
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @inheritdoc ISponsorPool
    function stablecoin() external view returns (address) {
        return address(_stablecoin);
    }

    /// @inheritdoc ISponsorPool
    function split() external view returns (Split memory) {
        return _split;
    }

    /// @inheritdoc ISponsorPool
    function bucketBalance(bytes32 campaignId, Bucket bucket) external view returns (uint256) {
        return _campaignBuckets[campaignId][uint256(bucket)];
    }

    /// @inheritdoc ISponsorPool
    function bucketTotal(Bucket bucket) external view returns (uint256) {
        return _bucketTotals[uint256(bucket)];
    }

    /// @inheritdoc ISponsorPool
    function sponsorTotal(address sponsor) external view returns (uint256) {
        return _sponsorTotals[sponsor];
    }

    /// @inheritdoc ISponsorPool
    function campaignTotal(bytes32 campaignId) external view returns (uint256) {
        return _campaignTotals[campaignId];
    }

    /// @inheritdoc ISponsorPool
    function totalFunded() external view returns (uint256) {
        return _totalFunded;
    }

    /// @inheritdoc ISponsorPool
    function totalDisbursed() external view returns (uint256) {
        return _totalDisbursed;
    }

    /// @inheritdoc ISponsorPool
    function solvency()
        external
        view
        returns (uint256 local, uint256 national, uint256 global, uint256 balance, bool solvent)
    {
        local = _bucketTotals[uint256(Bucket.LOCAL)];
        national = _bucketTotals[uint256(Bucket.NATIONAL)];
        global = _bucketTotals[uint256(Bucket.GLOBAL)];
        balance = _stablecoin.balanceOf(address(this));
        solvent = balance >= local + national + global;
    }

    function _fund(bytes32 campaignId, bytes32 zoneId, uint256 amount) internal {
        if (amount == 0) revert HeartZeroAmount();
        address sponsor = _msgSender();
        _stablecoin.safeTransferFrom(sponsor, address(this), amount);
        Split memory s = _split;
        uint256 local = (amount * s.local) / _BPS;
        uint256 national = (amount * s.national) / _BPS;
        // Cannot underflow: local + national <= amount * (s.local + s.national) / 10,000 <= amount.
        uint256 global;
        unchecked {
            global = amount - local - national;
        }
        uint256[3] storage buckets = _campaignBuckets[campaignId];
        buckets[0] += local;
        buckets[1] += national;
        buckets[2] += global;
        _bucketTotals[0] += local;
        _bucketTotals[1] += national;
        _bucketTotals[2] += global;
        _campaignTotals[campaignId] += amount;
        _sponsorTotals[sponsor] += amount;
        _totalFunded += amount;
        emit Funded(sponsor, campaignId, zoneId, amount, local, national, global);
    }

    function _setSplit(uint16 local, uint16 national, uint16 global) internal {
        if (uint256(local) + national + global != _BPS) revert HeartInvalidSplit(local, national, global);
        _split = Split(local, national, global);
        emit SplitChanged(local, national, global);
    }
}
