// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IHeartToken} from "./IHeartToken.sol";
import {ILedgerAnchor} from "./ILedgerAnchor.sol";

/// @title IRewardDistributor
/// @notice Mints Heart against the cumulative rewards Merkle roots anchored in the LedgerAnchor.
interface IRewardDistributor {
    /// @notice One claim of a batch.
    struct Claim {
        address account;
        uint256 cumulativeAmount;
        uint64 epoch;
        bytes32[] proof;
    }

    /// @notice The account already claimed exactly this cumulative amount (double claim).
    error HeartNothingToClaim(address account, uint256 cumulativeAmount);

    /// @notice The cumulative amount is lower than what the account already claimed.
    error HeartCumulativeAmountDecreased(address account, uint256 claimed, uint256 cumulativeAmount);

    /// @notice The epoch has no rewards root in the LedgerAnchor (not anchored yet).
    error HeartRewardsEpochNotAnchored(uint64 epoch);

    /// @notice The proof does not show (account, cumulativeAmount) as a leaf of the epoch's rewards root.
    error HeartInvalidProof(address account, uint256 cumulativeAmount, uint64 epoch);

    /// @notice The LedgerAnchor did not answer the rewards-root query.
    error HeartAnchorCallFailed();

    /// @notice A constructor argument that must be an address was the zero address.
    error HeartZeroAddress();

    /// @notice Emitted when `amount` was minted to `account`, bringing its claimed total to `cumulativeAmount`.
    event Claimed(address indexed account, uint64 indexed epoch, uint256 amount, uint256 cumulativeAmount);

    /**
     * @notice Mints `cumulativeAmount - claimed(account)` Heart to `account`. Anyone may submit.
     * @param account Leaf account; always the receiver.
     * @param cumulativeAmount Total rewards of `account` up to `epoch` (leaf amount).
     * @param epoch Anchored epoch whose rewardsRoot the proof is against.
     * @param proof OpenZeppelin StandardMerkleTree proof (sorted pairs).
     * @return amount The amount minted.
     */
    function claim(address account, uint256 cumulativeAmount, uint64 epoch, bytes32[] calldata proof)
        external
        returns (uint256 amount);

    /// @notice Executes several claims; reverts as a whole if one fails.
    /// @return total Sum minted.
    function claimMany(Claim[] calldata claims) external returns (uint256 total);

    /// @notice Cumulative amount already claimed by `account`.
    function claimed(address account) external view returns (uint256);

    /// @notice The Heart token this distributor mints (deployed by the distributor's constructor).
    function token() external view returns (IHeartToken);

    /// @notice The LedgerAnchor the rewards roots are read from.
    function anchor() external view returns (ILedgerAnchor);

    /// @notice The StandardMerkleTree leaf hash of (account, cumulativeAmount).
    function leafHash(address account, uint256 cumulativeAmount) external pure returns (bytes32);
}
